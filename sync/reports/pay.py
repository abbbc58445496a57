"""The pay report: what each period's latest plan run warned about, for the managers.

A run's warnings name money nobody is paid on or told about (a won deal with no owner or
an owner the store does not know, credit for someone on no plan, a negative won deal,
rates the plan could not read). ``plan run`` prints them once; the report keeps them in
front of whoever reads the managers' page until the data or the plans are fixed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, inspect, select

from sync.store.table_model import table_of

__all__ = ["pay_report"]

Report = dict[str, Any]


def pay_report(engine: Engine, periods: int = 6) -> Report:
    """The warnings of the latest run of each of the last ``periods`` periods run."""
    from sync.store.compensation import CompensationRunRow

    runs = table_of(CompensationRunRow)
    rows: list[list[Any]] = []
    summary: list[dict[str, Any]] = []
    if runs.name in inspect(engine).get_table_names():
        latest = (
            select(runs.c.period, func.max(runs.c.id).label("id"))
            .group_by(runs.c.period)
            .order_by(runs.c.period.desc())
            .limit(periods)
            .subquery()
        )
        query = (
            select(runs.c.period, runs.c.id, runs.c.finished_at, runs.c.warnings)
            .join(latest, latest.c.id == runs.c.id)
            .order_by(runs.c.period)
        )
        with engine.connect() as conn:
            for period, run_id, finished, warnings in conn.execute(query):
                lines = [w for w in (warnings or "").split("\n") if w.strip()]
                when = finished.strftime("%Y-%m-%d %H:%M") if finished else None
                summary.append(
                    {"period": period, "run": run_id, "finished": when, "warnings": len(lines)}
                )
                rows += [[period, run_id, line] for line in lines]
    chart = [(s["period"], s["warnings"]) for s in summary]
    return {
        "title": "Pay run warnings (latest run of each period)",
        "columns": ["period", "run", "warning"],
        "rows": rows,
        "summary": summary,
        "chart": chart,
    }
