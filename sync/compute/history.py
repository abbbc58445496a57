"""What the store keeps of plan runs: stored runs, closed periods, manual adjustments.

A stored run replaces nothing: the latest run of a period is its current result, and
closing a period copies that result into ``compensation_periods``, never rewritten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Row, func, insert, select

from compensation.calculation import (
    Adjustment,
    ClosedPeriod,
    PeriodResult,
    canonical_json,
)
from sync.compute.codec import decode_period
from sync.store.compensation import (
    CompensationAdjustmentRow,
    CompensationLineRow,
    CompensationPeriodRow,
    CompensationResultRow,
    CompensationRunRow,
)
from sync.store.table_model import table_of

__all__ = [
    "StoredRun",
    "add_adjustment",
    "close_stored_period",
    "closed_periods",
    "latest_run",
    "load_adjustments",
    "run_versions",
    "save_run",
]

_RUNS = table_of(CompensationRunRow)
_RESULTS = table_of(CompensationResultRow)
_LINES = table_of(CompensationLineRow)
_PERIODS = table_of(CompensationPeriodRow)
_ADJUSTMENTS = table_of(CompensationAdjustmentRow)
_CHUNK = 1000


@dataclass(frozen=True)
class StoredRun:
    """A stored run: its id, when, input hash, plan versions and result."""

    id: int
    period: str
    input_hash: str
    result_hash: str
    plan_versions: str
    finished_at: datetime
    result: PeriodResult
    raw: bytes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_run(
    engine: Engine,
    result: PeriodResult,
    *,
    plan_versions: Sequence[str],
    started_at: datetime,
    finished_at: datetime,
    deals: int,
    credits: int,
) -> int:
    """Store ``result`` with its employees and lines in one transaction; the run id."""
    raw = canonical_json(result)
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(_RUNS).values(
                period=result.period,
                input_hash=result.input_hash,
                result_hash=_sha(raw),
                plan_versions=",".join(sorted(plan_versions)),
                as_of=result.as_of,
                started_at=started_at,
                finished_at=finished_at,
                employees=len(result.employees),
                deals=deals,
                credits=credits,
                warnings="\n".join(result.warnings),
                result=raw,
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
        results, lines = [], []
        for emp in result.employees:
            doc = canonical_json(emp)
            results.append(
                {
                    "run_id": run_id,
                    "period": result.period,
                    "employee": emp.employee,
                    "plan": emp.plan,
                    "plan_version": emp.plan_version,
                    "currency": emp.currency,
                    "total": emp.total,
                    "result_hash": _sha(doc),
                    "result": doc,
                }
            )
            common = {"run_id": run_id, "period": result.period, "employee": emp.employee}
            for line in emp.lines:
                lines.append(
                    common
                    | {
                        "status": "payable",
                        "key": line.key,
                        "kind": line.kind,
                        "component": line.component,
                        "deal": line.deal,
                        "pool": line.pool,
                        "slot": line.slot,
                        "amount": line.amount,
                        "currency": line.currency,
                        "line": canonical_json(line),
                    }
                )
            for held in emp.withheld:
                lines.append(
                    common
                    | {
                        "status": "withheld",
                        "key": held.key,
                        "kind": held.gate,
                        "component": held.component,
                        "deal": held.deal,
                        "pool": held.pool,
                        "slot": held.slot,
                        "amount": held.original_amount,
                        "currency": held.original_currency,
                        "line": canonical_json(held),
                    }
                )
        for table, rows in ((_RESULTS, results), (_LINES, lines)):
            for start in range(0, len(rows), _CHUNK):
                conn.execute(insert(table), rows[start : start + _CHUNK])
    return int(run_id)


def latest_run(engine: Engine, period: str) -> StoredRun | None:
    """The latest stored run of ``period`` (None: never run)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(_RUNS).where(_RUNS.c.period == period).order_by(_RUNS.c.id.desc()).limit(1)
        ).first()
    if row is None:
        return None
    return StoredRun(
        id=row.id,
        period=row.period,
        input_hash=row.input_hash,
        result_hash=row.result_hash,
        plan_versions=row.plan_versions,
        finished_at=row.finished_at,
        result=decode_period(bytes(row.result)),
        raw=bytes(row.result),
    )


def run_versions(engine: Engine, period: str, employee: str) -> int:
    """How many different results ``employee`` has had for ``period`` (a statement's
    version: it goes up whenever the content changes)."""
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count(func.distinct(_RESULTS.c.result_hash))).where(
                _RESULTS.c.period == period, _RESULTS.c.employee == employee
            )
        ).scalar_one()
    return int(count)


def closed_periods(engine: Engine) -> list[ClosedPeriod]:
    """Every closed period as the engine's :class:`ClosedPeriod`, by period start."""
    with engine.connect() as conn:
        rows = conn.execute(select(_PERIODS.c.closed_on, _PERIODS.c.result)).all()
    closed = [ClosedPeriod(decode_period(bytes(r.result)), r.closed_on) for r in rows]
    return sorted(closed, key=lambda c: (c.result.start, c.result.period))


def paid_deals(closed: Sequence[ClosedPeriod]) -> set[str]:
    """The deals a closed period paid commission or a spiff on (a reversal claws them back;
    the plan run and the statements ask the same)."""
    return {
        line.deal
        for item in closed
        for emp in item.result.employees
        for line in emp.lines
        if line.deal and line.kind in ("commission", "spiff")
    }


def is_closed(engine: Engine, period: str) -> bool:
    """Whether ``period`` is closed."""
    with engine.connect() as conn:
        found = conn.execute(select(_PERIODS.c.period).where(_PERIODS.c.period == period))
        return found.first() is not None


def close_stored_period(
    engine: Engine, run: StoredRun, closed_on: date, closed_by: str, now: datetime
) -> None:
    """Freeze ``run`` as the paid result of its period."""
    with engine.begin() as conn:
        conn.execute(
            insert(_PERIODS).values(
                period=run.period,
                run_id=run.id,
                closed_on=closed_on,
                closed_at=now,
                closed_by=closed_by,
                input_hash=run.input_hash,
                result=run.raw,
            )
        )


def _adjustment(row: Row[Any]) -> Adjustment:
    return Adjustment(
        id=f"ADJ-{row.id:06d}",
        employee=row.employee,
        period=row.period,
        amount=row.amount,
        currency=row.currency,
        reason=row.reason,
        by=row.entered_by,
        at=row.entered_at,
    )


def load_adjustments(engine: Engine) -> list[Adjustment]:
    """Every manual adjustment, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(_ADJUSTMENTS).order_by(_ADJUSTMENTS.c.id)).all()
    return [_adjustment(r) for r in rows]


def add_adjustment(
    engine: Engine,
    *,
    employee: str,
    period: str,
    amount: Decimal,
    currency: str,
    reason: str,
    by: str,
    at: datetime,
) -> Adjustment:
    """Record a manual adjustment (audited: who, when, why); every later run pays it."""
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(_ADJUSTMENTS).values(
                employee=employee,
                period=period,
                amount=amount,
                currency=currency.upper(),
                reason=reason,
                entered_by=by,
                entered_at=at,
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # an insert always has one
        row = conn.execute(select(_ADJUSTMENTS).where(_ADJUSTMENTS.c.id == new_id)).one()
    return _adjustment(row)
