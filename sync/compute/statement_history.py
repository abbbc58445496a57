"""A statement's place in the year: the earlier periods' totals and the payout date.

An earlier period counts with its closed (paid) result once closed, else with its latest
run; only periods of the same calendar year that end before this one starts, and only
totals in the statement's pay currency, go into the year-to-date.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, func, select

from compensation.plans import Period
from compensation.statements import PastPeriod
from compensation.statements import Period as StatementPeriod
from sync.store.compensation import (
    CompensationPeriodRow,
    CompensationResultRow,
    CompensationRunRow,
)
from sync.store.table_model import table_of

__all__ = ["payout_date", "year_history"]

_RUNS = table_of(CompensationRunRow)
_RESULTS = table_of(CompensationResultRow)
_PERIODS = table_of(CompensationPeriodRow)


def payout_date(period_end: date, day: int, months_after: int) -> date:
    """Day ``day`` of the ``months_after``-th month after the period's last month (the
    month's last day when it is shorter)."""
    index = period_end.year * 12 + period_end.month - 1 + months_after
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def year_history(
    engine: Engine, period: Period, employees: Collection[str]
) -> dict[str, list[tuple[str, PastPeriod]]]:
    """employee -> [(currency, earlier period and its total)], by period start."""
    with engine.connect() as conn:
        closed: dict[str, int] = dict(
            conn.execute(select(_PERIODS.c.period, _PERIODS.c.run_id)).all()
        )
        latest: dict[str, int] = dict(
            conn.execute(
                select(_RUNS.c.period, func.max(_RUNS.c.id)).group_by(_RUNS.c.period)
            ).all()
        )
        earlier: dict[int, StatementPeriod] = {}
        for key, run_id in latest.items():
            try:
                other = Period.parse(key)
            except ValueError:
                continue
            if other.start.year == period.start.year and other.end < period.start:
                final = key in closed
                earlier[closed.get(key, run_id)] = StatementPeriod(
                    key, other.start, other.end, final
                )
        if not earlier:
            return {}
        rows = conn.execute(
            select(
                _RESULTS.c.run_id, _RESULTS.c.employee, _RESULTS.c.currency, _RESULTS.c.total
            ).where(_RESULTS.c.run_id.in_(sorted(earlier)))
        ).all()
    wanted = set(employees)
    out: dict[str, list[tuple[str, PastPeriod]]] = defaultdict(list)
    for row in rows:
        if row.employee not in wanted:
            continue
        past = PastPeriod(earlier[row.run_id], Decimal(row.total))
        out[row.employee].append((row.currency, past))
    for items in out.values():
        items.sort(key=lambda item: (item[1].period.start, item[1].period.key))
    return dict(out)
