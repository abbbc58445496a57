"""Plan runs on the store: run (and store) a period, close it, explain, simulate, adjust.

Every function takes the engine, the ``compensation:`` config and the clock reading
(``now`` / ``as_of``) from the caller; nothing here reads the wall clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from compensation.calculation import (
    Adjustment,
    EmployeeResult,
    EngineError,
    PeriodClosedError,
    PeriodResult,
    PriorState,
    Simulation,
    canonical_json,
    explain_employee,
    input_hash,
    plan_policies,
    pool_policy,
    run_period,
    simulate,
)
from compensation.plans import Period
from compensation.rates import MissingRateError
from sync.compute.history import (
    StoredRun,
    add_adjustment,
    close_stored_period,
    closed_periods,
    is_closed,
    latest_run,
    load_adjustments,
    paid_deals,
    save_run,
)
from sync.compute.lock import hold_period
from sync.compute.prepare import Prepared, prepare
from sync.config.compensation import CompensationConfig
from sync.errors import OperationFailed, UsageError
from sync.store.view.identity_map import IdentityLookup
from sync.store.view.reads import StoreReads

__all__ = [
    "PlanRun",
    "adjust",
    "close",
    "default_as_of",
    "explain",
    "parse_period",
    "run_plans",
    "what_if",
]


@dataclass
class PlanRun:
    """A computed period: the engine's result, what it was computed from, where stored."""

    result: PeriodResult
    prepared: Prepared
    run_id: int | None
    canonical: bytes

    @property
    def plan_versions(self) -> list[str]:
        """``plan@version`` of every employee's plan in the result."""
        return sorted({f"{e.plan}@{e.plan_version}" for e in self.result.employees})


def parse_period(text: str) -> Period:
    """A period from ``2026-10`` / ``2026-Q4`` / ``2026``, or a usage error."""
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def default_as_of(period: Period, now: datetime) -> date:
    """The snapshot date of a run: today, or the period's last day once it is over."""
    return min(now.date(), period.end)


def _prior(engine: Engine) -> tuple[PriorState, set[str]]:
    closed = closed_periods(engine)
    return PriorState(tuple(closed)), paid_deals(closed)


def _prepare(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    as_of: date,
    identities: IdentityLookup | None,
    explain: bool = False,
    kinds: Mapping[str, str] | None = None,
    observed_at: datetime | None = None,
    reads: StoreReads | None = None,
) -> tuple[Prepared, PriorState]:
    prior, paid = _prior(engine)
    closed = [Period.parse(c.result.period) for c in prior.closed]
    prepared = prepare(
        engine,
        config,
        period,
        as_of,
        identities=identities,
        paid_deals=paid,
        closed=closed,
        explain=explain,
        kinds=kinds,
        observed_at=observed_at,
        reads=reads,
    )
    return prepared, prior


def run_plans(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    *,
    now: datetime,
    as_of: date | None = None,
    dry_run: bool = False,
    identities: IdentityLookup | None = None,
    wait: float = 0.0,
    kinds: Mapping[str, str] | None = None,
    reads: StoreReads | None = None,
) -> PlanRun:
    """Compute ``period`` from the store; store the result unless ``dry_run``. ``reads``:
    the rows and identity map a run's steps share.

    A storing run holds the period's lock from the closed-period check to the write, so
    two runs of one period never both store; the second waits up to ``wait`` seconds,
    then raises :class:`~sync.compute.lock.PeriodBusy` naming the holder. ``kinds`` is
    each source's connector kind (see ``build_evidence``).
    """
    if dry_run:
        return _run_plans(engine, config, period, now, as_of, dry_run, identities, kinds, reads)
    with hold_period(engine, period.key, wait):
        return _run_plans(engine, config, period, now, as_of, dry_run, identities, kinds, reads)


def _run_plans(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    now: datetime,
    as_of: date | None,
    dry_run: bool,
    identities: IdentityLookup | None,
    kinds: Mapping[str, str] | None,
    reads: StoreReads | None,
) -> PlanRun:
    if is_closed(engine, period.key):
        raise UsageError(
            f"period {period.key} is closed; changes post as adjustments in the open period"
        )
    # A storing run records the managers it sees (the dated hierarchy of roll-ups).
    prepared, prior = _prepare(
        engine,
        config,
        period,
        as_of or default_as_of(period, now),
        identities,
        kinds=kinds,
        observed_at=None if dry_run else now,
        reads=reads,
    )
    try:
        result = run_period(
            prepared.inputs,
            prepared.book,
            period,
            prepared.rates,
            prior,
            load_adjustments(engine),
        )
    except PeriodClosedError as exc:
        raise UsageError(str(exc)) from exc
    except (EngineError, MissingRateError) as exc:
        raise OperationFailed(f"the plan run for {period.key} failed: {exc}") from exc
    if prepared.warnings:
        result = _with_warnings(result, prepared.warnings)
    run = PlanRun(result, prepared, None, canonical_json(result))
    if not dry_run:
        run.run_id = save_run(
            engine,
            result,
            plan_versions=run.plan_versions,
            started_at=now,
            finished_at=now,
            deals=len(prepared.inputs.deals),
            credits=len(prepared.inputs.credits),
        )
    return run


def _with_warnings(result: PeriodResult, warnings: list[str]) -> PeriodResult:
    return dataclasses.replace(result, warnings=tuple(sorted({*result.warnings, *warnings})))


def close(
    engine: Engine, period: Period, *, closed_on: date, by: str, now: datetime, wait: float = 0.0
) -> StoredRun:
    """Close ``period`` on its latest stored run (run it first); refuses twice. Holds the
    period's lock, so a run in progress cannot store after the close."""
    with hold_period(engine, period.key, wait):
        return _close(engine, period, closed_on, by, now)


def _close(engine: Engine, period: Period, closed_on: date, by: str, now: datetime) -> StoredRun:
    if is_closed(engine, period.key):
        raise UsageError(f"period {period.key} is already closed")
    run = latest_run(engine, period.key)
    if run is None:
        raise UsageError(
            f"period {period.key} has no stored run: run `crmsync plan run --period "
            f"{period.key}` first"
        )
    later = [c.result.period for c in closed_periods(engine) if c.result.start > period.start]
    if later:
        raise UsageError(f"period {later[0]} after {period.key} is already closed")
    close_stored_period(engine, run, closed_on, by, now)
    return run


def explain(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    employee: str,
    *,
    now: datetime,
    identities: IdentityLookup | None = None,
    kinds: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The stored result of ``employee`` for ``period`` with each line down to the deal,
    slot, acts (who, what, when), rate and rule. Crediting reasons are recomputed from
    the store; ``current`` says whether the store still gives the stored input hash."""
    stored = latest_run(engine, period.key)
    if stored is None:
        raise UsageError(
            f"no stored run for {period.key}: run `crmsync plan run --period {period.key}` first"
        )
    as_of = stored.result.as_of or default_as_of(period, now)
    prepared, prior = _prepare(engine, config, period, as_of, identities, explain=True, kinds=kinds)
    key = prepared.directory.find(employee) or employee
    result = stored.result.employee(key)
    if result is None:
        raise UsageError(f"no result for employee {employee!r} in {period.key}")
    out = explain_employee(result, prepared.explanations)
    out["policies"] = _policies(prepared, result)
    acts = {a.key: a for e in prepared.evidence.deals for a in e.acts}
    names = {k: e.name for k, e in prepared.directory.employees.items()}
    for line in out["lines"]:
        deal = line.get("deal")
        if not deal:
            continue
        deal["deal_name"] = prepared.evidence.names.get(deal["deal"], deal["deal"])
        deal["act_details"] = [
            {
                "act": a,
                "kind": acts[a].kind,
                "employee": acts[a].employee,
                "employee_name": names.get(acts[a].employee or "", acts[a].employee),
                "at": acts[a].at.isoformat(),
                "channel": acts[a].channel,
                "detail": acts[a].detail,
            }
            for a in deal["acts"]
            if a in acts
        ]
    current = input_hash(
        prepared.inputs, prepared.book, period, prepared.rates, prior, load_adjustments(engine)
    )
    out["period"] = period.key
    out["run_id"] = stored.id
    out["input_hash"] = stored.input_hash
    out["current"] = current == stored.input_hash
    return out


def _policies(prepared: Prepared, result: EmployeeResult) -> dict[str, str]:
    """The employee's plan policies, and those of every pool their lines were credited
    from (a manager's pool is declared by the sellers' plan, not the manager's own)."""
    versions = {v.id: v for items in prepared.book.versions.values() for v in items}
    own_id = f"{result.plan}@{result.plan_version}"
    out = plan_policies(versions[own_id]) if own_id in versions else {}
    for line in result.lines:
        scheme_id = prepared.scheme_of.get(line.deal or "", "")
        scheme = versions[scheme_id].crediting if scheme_id in versions else None
        if scheme is not None and line.pool in scheme.pool_order() and scheme_id != own_id:
            out.setdefault(f"pool {line.pool} ({scheme_id})", pool_policy(scheme, line.pool))
    return out


def what_if(
    engine: Engine,
    config: CompensationConfig,
    employee: str,
    *,
    period: Period,
    now: datetime,
    deal: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    attainment: Decimal | None = None,
    identities: IdentityLookup | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Simulation:
    """What ``employee`` would earn in ``period`` if ``deal`` (a deal key or CRM id)
    closed won, or a deal of ``amount`` closed, or ``attainment`` were reached."""
    prepared, prior = _prepare(
        engine, config, period, default_as_of(period, now), identities, kinds=kinds
    )
    key = prepared.directory.find(employee)
    if key is None:
        raise UsageError(f"no employee {employee!r} (give an id, an e-mail or source:user_id)")
    deal_key = None
    if deal is not None:
        deal_key = next(
            (k for k, ref in prepared.evidence.refs.items() if deal in (k, ref[1])), None
        )
        if deal_key is None:
            raise UsageError(f"no deal {deal!r} in the store")
    try:
        return simulate(
            prepared.inputs,
            prepared.book,
            period,
            prepared.rates,
            key,
            deal=deal_key,
            amount=amount,
            currency=currency,
            attainment=attainment,
            prior=prior,
            adjustments=load_adjustments(engine),
        )
    except (EngineError, MissingRateError) as exc:
        raise UsageError(str(exc)) from exc


def adjust(
    engine: Engine,
    config: CompensationConfig,
    employee: str,
    *,
    period: Period,
    amount: Decimal,
    reason: str,
    by: str,
    now: datetime,
    currency: str | None = None,
    identities: IdentityLookup | None = None,
) -> Adjustment:
    """Record a manual adjustment for ``employee`` (audited); later runs pay it."""
    if not reason.strip():
        raise UsageError("say why: --reason is required for a manual adjustment")
    from sync.compute.prepare import load_directory
    from sync.compute.snapshot import load_store_snapshot

    directory = load_directory(load_store_snapshot(engine), identities, config, engine)
    key = directory.find(employee)
    if key is None:
        raise UsageError(f"no employee {employee!r} (give an id, an e-mail or source:user_id)")
    return add_adjustment(
        engine,
        employee=key,
        period=period.key,
        amount=amount,
        currency=(currency or config.default_currency).upper(),
        reason=reason.strip(),
        by=by,
        at=now,
    )
