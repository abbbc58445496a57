"""run_period: one period, every employee on a plan, as a pure function of its inputs.

Per employee, lines come in this order: earnings (commission, SPIFFs, usage and KPI
components, caps), clawbacks, changes to closed periods, manual adjustments, then the
draw. Lines are sorted by key in the result; the total is the exact sum of the (already
rounded) lines.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from compensation.calculation.canonical import input_hash
from compensation.calculation.context import RunContext
from compensation.calculation.errors import PeriodClosedError
from compensation.calculation.history import (
    clawback_lines,
    draw_lines,
    manual_lines,
    prior_lines,
    settle_on_leaving,
)
from compensation.calculation.notices import unclaimed_warnings
from compensation.calculation.records import Adjustment, ClosedPeriod, PeriodInputs, PriorState
from compensation.calculation.results import EmployeeResult, PayLine, PeriodResult
from compensation.calculation.segments import period_earnings
from compensation.gcpause import paused_gc
from compensation.inputs import Employee
from compensation.plans import Period, PlanBook
from compensation.rates import RateTable

__all__ = ["ENGINE_CONTEXT", "close_period", "run_employee", "run_period"]

_ZERO = Decimal(0)
# Intermediate arithmetic (FX products, tier portions) always runs in this context, so a
# caller's decimal settings can never change a result.
ENGINE_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


def _balance(employee: str, closed: Sequence[ClosedPeriod]) -> Decimal:
    for item in reversed(closed):
        result = item.result.employee(employee)
        if result is not None:
            return result.draw_balance_end
    return _ZERO


def run_employee(
    ctx: RunContext,
    book: PlanBook,
    employee: Employee,
    closed: Sequence[ClosedPeriod] = (),
    reruns: Sequence[tuple[ClosedPeriod, RunContext]] = (),
    adjustments: Sequence[Adjustment] = (),
) -> EmployeeResult | None:
    """One employee's result for ``ctx.period`` (None when on no plan on any of its days)."""
    found = period_earnings(ctx, book, employee)
    if found is None:
        return None
    earned, pricing, _ = found
    clawbacks, notes = clawback_lines(ctx, pricing, employee.id, closed)
    lines: list[PayLine] = [
        *earned.lines,
        *clawbacks,
        *prior_lines(pricing, ctx, employee, reruns, closed, book),
        *manual_lines(ctx, pricing, employee.id, adjustments, closed),
    ]
    start = _balance(employee.id, closed)
    left = employee.left_before(ctx.period.start)
    drawn, end, draw_notes = draw_lines(
        pricing,
        sum((line.amount for line in lines), _ZERO),
        start,
        left,
        employee.left_on,
        ctx.period,
    )
    end, written_off, on_leaving, settled = settle_on_leaving(
        pricing, start, drawn, end, employee.left_on, left, ctx.period
    )
    lines += drawn
    lines.sort(key=lambda line: line.key)
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.kind] = totals.get(line.kind, _ZERO) + line.amount
    return EmployeeResult(
        employee=employee.id,
        name=employee.name,
        plan=pricing.version.plan,
        plan_version=pricing.version.version,
        currency=pricing.currency,
        lines=tuple(lines),
        withheld=tuple(sorted(earned.withheld, key=lambda w: w.key)),
        total=pricing.round(sum((line.amount for line in lines), _ZERO)),
        totals={kind: pricing.round(value) for kind, value in sorted(totals.items())},
        attainment=dict(sorted(earned.attainment.items())),
        credited=dict(sorted(earned.credited.items())),
        quota=pricing.quota,
        quota_currency=pricing.quota_currency if pricing.quota is not None else None,
        usage_score=ctx.usage.get(employee.id),
        draw_balance_start=start,
        draw_balance_end=end,
        draw_written_off=written_off,
        draw_on_leaving=on_leaving,
        notes=tuple(sorted(set(earned.notes + notes + draw_notes + settled))),
    )


def run_period(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> PeriodResult:
    """Compute ``period`` for every employee in ``inputs`` who is on a plan.

    ``prior`` holds the closed periods: they are re-run on these inputs and any difference
    posts here as ``prior_period`` lines; their lines drive clawbacks and draw balances.
    Same inputs in any order give a byte-identical :func:`canonical_json` of the result.
    """
    with decimal.localcontext(ENGINE_CONTEXT), paused_gc():
        return _run_period(inputs, book, period, rates, prior, adjustments)


def _run_period(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState | None,
    adjustments: Sequence[Adjustment],
) -> PeriodResult:
    closed = (prior or PriorState()).ordered()
    if any(c.result.period == period.key for c in closed):
        raise PeriodClosedError(period.key)
    ctx = RunContext(inputs, period, rates)
    reruns = [(c, RunContext(inputs, Period.parse(c.result.period), rates)) for c in closed]
    results: list[EmployeeResult] = []
    unplaced: list[str] = []
    known: set[str] = set()
    for employee in sorted(inputs.employees, key=lambda e: e.id):
        known.add(employee.id)
        result = run_employee(ctx, book, employee, closed, reruns, adjustments)
        if result is not None:
            results.append(result)
        elif any(
            ctx.in_period(ctx.deals[c.deal])
            for c in ctx.by_employee.get(employee.id, ())
            if c.deal in ctx.deals
        ):
            unplaced.append(employee.id)
    warnings = [
        f"credits name employee {emp}, who is not in the employee list"
        for emp in sorted(set(ctx.by_employee) - known)
    ]
    warnings += _negative_deal_warnings(ctx, results)
    names = {e.id: e.name for e in inputs.employees}
    warnings += unclaimed_warnings(ctx, names, unplaced)
    return PeriodResult(
        period=period.key,
        start=period.start,
        end=period.end,
        as_of=inputs.as_of,
        input_hash=input_hash(inputs, book, period, rates, prior, adjustments),
        employees=tuple(results),
        unplaced=tuple(unplaced),
        warnings=tuple(warnings),
    )


def _negative_deal_warnings(ctx: RunContext, results: Sequence[EmployeeResult]) -> list[str]:
    """Deals won in the period with a negative amount (usually a refund typed as a deal):
    who was paid a negative line on each and who had it withheld (``gates.negative_amount``)."""
    negative = {d.key: d for d in ctx.inputs.deals if d.amount < 0 and ctx.in_period(d)}
    if not negative:
        return []
    paid: dict[str, set[str]] = {}
    held: dict[str, set[str]] = {}
    for result in results:
        for line in result.lines:
            if line.deal in negative and line.kind in ("commission", "spiff"):
                paid.setdefault(line.deal, set()).add(result.employee)
        for withheld in result.withheld:
            if withheld.deal in negative and withheld.gate == "negative_amount":
                held.setdefault(withheld.deal, set()).add(result.employee)
    out = []
    for key, deal in sorted(negative.items()):
        outcome = []
        if key in paid:
            outcome.append(f"paid as negative lines to {', '.join(sorted(paid[key]))}")
        if key in held:
            outcome.append(f"withheld from {', '.join(sorted(held[key]))}")
        out.append(
            f"deal {key} ({deal.name}) was won on {deal.close_date} with a negative amount, "
            f"{deal.amount} {deal.currency}: {'; '.join(outcome) or 'nobody is paid on it'} "
            "(plan key gates.negative_amount: pay | withhold); check the deal in the CRM"
        )
    return out


def close_period(result: PeriodResult, closed_on: date) -> ClosedPeriod:
    """Lock ``result`` as paid on ``closed_on``; pass it in :class:`PriorState` from now on."""
    return ClosedPeriod(result, closed_on)
