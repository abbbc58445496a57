"""Who managed whom, as the store has seen it: the dated hierarchy of roll-up pools.

The CRMs only say who manages an employee today (through the directory: a team's
manager, and ``compensation.directory.reports_to`` above that). Every storing plan run
records that view with the day it was seen, one row per change, so a reorganisation
later never moves the manager credit of deals closed before it (closed periods are
re-run on today's inputs: without the history their manager lines would move too).

A row holds from its ``since`` until the employee's next row; the first row of an
employee also covers everything before it (nothing older is known). "No manager" is not
a span: seen first it is a directory not yet complete (the first manager seen covers the
past), seen later it ends the previous span. Outside every span, and where the recorded
manager is no longer an employee (a reconciled identity that changed), a deal rolls up
to the employee's manager of today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from compensation.inputs import Employee, ManagerSpan
from sync.store.compensation import CompensationManagerRow
from sync.store.table_model import table_of

__all__ = ["manager_spans", "record_managers"]

_TABLE = table_of(CompensationManagerRow)
_DAY = timedelta(days=1)


def _latest(engine: Engine) -> dict[str, tuple[int, str | None, date]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(_TABLE.c.id, _TABLE.c.employee, _TABLE.c.manager, _TABLE.c.since).order_by(
                _TABLE.c.employee, _TABLE.c.since
            )
        ).all()
    return {r.employee: (r.id, r.manager, r.since) for r in rows}


def record_managers(
    engine: Engine, employees: Mapping[str, Employee], on: date, now: datetime
) -> int:
    """Record each employee's manager as seen ``on`` where it differs from the last
    row (a change seen again the same day replaces that day's row); rows written."""
    latest = _latest(engine)
    new, changed = [], []
    for key, person in sorted(employees.items()):
        last = latest.get(key)
        if last is not None and (last[1] == person.manager or last[2] > on):
            continue  # unchanged, or an older day than the history already holds
        if last is not None and last[2] == on:
            changed.append((last[0], person.manager))
        else:
            new.append(
                {"employee": key, "manager": person.manager, "since": on, "observed_at": now}
            )
    with engine.begin() as conn:
        if new:
            conn.execute(insert(_TABLE), new)
        for row_id, manager in changed:
            conn.execute(
                update(_TABLE).where(_TABLE.c.id == row_id).values(manager=manager, observed_at=now)
            )
    return len(new) + len(changed)


def manager_spans(engine: Engine) -> list[ManagerSpan]:
    """The recorded history as dated spans (the first of each employee from
    :data:`datetime.date.min`)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_TABLE.c.employee, _TABLE.c.manager, _TABLE.c.since).order_by(
                _TABLE.c.employee, _TABLE.c.since
            )
        ).all()
    return list(_spans((r.employee, r.manager, r.since) for r in rows))


def _spans(rows: Iterable[tuple[str, str | None, date]]) -> Iterable[ManagerSpan]:
    by_employee: dict[str, list[tuple[date, str | None]]] = {}
    for employee, manager, since in rows:
        by_employee.setdefault(employee, []).append((since, manager))
    for employee, items in sorted(by_employee.items()):
        items.sort(key=lambda item: item[0])
        # "No manager" seen before any manager is a directory not yet complete (a CRM not
        # synced yet), not a reporting line: the first manager seen covers the past.
        while items and items[0][1] is None:
            items.pop(0)
        for index, (since, manager) in enumerate(items):
            if manager is None:
                continue  # ends the previous span; the employee's manager of today applies
            start = date.min if index == 0 else since
            end = items[index + 1][0] - _DAY if index + 1 < len(items) else None
            yield ManagerSpan(employee, manager, start, end)
