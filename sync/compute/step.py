"""The ``compute`` step of ``crmsync run`` and the daemon: run the open period, store
it, publish per-deal values for write-back."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine

from compensation.plans import Period
from sync.compute.periods import run_plans
from sync.compute.values import deal_values
from sync.config.models import CrmsyncConfig
from sync.errors import CrmsyncError
from sync.step_contract import StepContext, StepReport

__all__ = ["run_step"]


def open_period(config: CrmsyncConfig, context: StepContext) -> Period:
    """``context.period`` or the period (``compensation.period_kind``) containing now."""
    if context.period:
        return Period.parse(context.period)
    kind = config.compensation.period_kind
    return Period.containing(context.now.date(), kind)  # type: ignore[arg-type]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    """Compute the open period; publish ``incentive_total``, ``share_<slot>`` and
    ``estimated_commission`` (unless a dry run or ``compensation.publish`` is off)."""
    try:
        period = open_period(config, context)
        context.say(f"compute: crediting deals and running plans for {period.key}")
        run = run_plans(
            engine,
            config.compensation,
            period,
            now=context.now,
            dry_run=context.dry_run,
            kinds=config.source_kinds(),
            reads=context.reads,
        )
    except (CrmsyncError, ValueError) as exc:
        message = exc.user_message if isinstance(exc, CrmsyncError) else str(exc)
        return StepReport("compute", "failed", error=message)
    result = run.result
    summary = {
        "period": period.key,
        "employees": len(result.employees),
        "deals": len(run.prepared.inputs.deals),
        "credits": len(run.prepared.inputs.credits),
        "input_hash": result.input_hash,
        "run_id": run.run_id,
        "warnings": len(result.warnings),
        "published": 0,
        "credited_revenue": _credited_revenue(run.prepared.inputs),
    }
    if config.compensation.publish and not context.dry_run:
        from sync.store.view.published import DesiredValue, publish

        rows = [
            DesiredValue(s, "deals", r, k, v)
            for s, r, k, v in deal_values(run.prepared, result, period)
        ]
        with engine.begin() as conn:
            summary["published"] = publish(conn, "compute", rows)
    return StepReport("compute", "succeeded", summary)


def _credited_revenue(inputs: object) -> dict[str, str]:
    """Revenue credited on won deals, per currency (it must equal won revenue)."""
    deals = getattr(inputs, "deals", ())
    won = {d.key for d in deals if d.state == "won"}
    totals: dict[str, Decimal] = {}
    for credit in getattr(inputs, "credits", ()):
        if credit.pool == "revenue" and credit.deal in won:
            totals[credit.currency] = totals.get(credit.currency, Decimal(0)) + credit.amount
    return {currency: str(amount) for currency, amount in sorted(totals.items())}
