"""The reports as terminal tables, readable at 80 columns (the width Rich uses when stdout
is piped) and carrying what ``--json`` carries: the pipeline's totals per currency and its
churn, the service report's call durations, the usage report's team scores.

Headers are the JSON keys in words (``median_hours`` -> "median hours") so that they wrap
between words; cells are whole values, a list of amounts one per line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sync.terminal_text import Table

__all__ = ["report_tables"]

Report = dict[str, Any]


def report_tables(kind: str, report: Report) -> Iterator[Table | str]:
    """Tables (and plain lines) that show ``report``, a report of ``kind``."""
    yield from _LAYOUTS.get(kind, _main)(report)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _main(report: Report, headers: list[str] | None = None) -> Iterator[Table | str]:
    names = headers or [c.replace("_", " ") for c in report["columns"]]
    table = Table(*names, title=report["title"])
    for row in report["rows"]:
        table.add_row(*[_cell(v) for v in row])
    yield table


def _channels(report: Report) -> Iterator[Table | str]:
    headers = ["channel", "crm", "leads", "deals", "won", "won per lead", "won revenue"]
    table = Table(*headers, "median cycle days", title=report["title"])
    touches = Table("channel", "crm", "touches", title="Touches logged per channel")
    for row in report["rows"]:
        cells = [_cell(v) for v in row]
        cells[7] = cells[7].replace("; ", "\n")  # one amount per currency and line
        table.add_row(*cells[:2], *cells[3:])
        if row[2]:  # a table of its own: nine columns do not fit 80 with amounts whole
            touches.add_row(*cells[:3])
    yield table
    yield touches


def _pipeline(report: Report) -> Iterator[Table | str]:
    yield from _main(report)
    summary = report["summary"]
    if summary:
        totals = Table("", *[s["currency"] for s in summary], title="Totals per currency")
        for key in (
            "open_pipeline",
            "weighted_pipeline",
            "open_deals",
            "median_age_days",
            "avg_won_deal",
            "median_days_to_close",
        ):
            totals.add_row(key.replace("_", " "), *[_cell(s[key]) for s in summary])
        yield totals
    churn = report["churn"]
    rate = "-" if churn["rate"] is None else f"{churn['rate']:.1%}"
    days = churn["window_days"]
    yield (
        f"Churn over {days} days: {churn['churned']} of {churn['customers_before']} customers "
        f"who won a deal {days} to {2 * days} days ago have none won or open since ({rate})."
    )


def _service(report: Report) -> Iterator[Table | str]:
    yield from _main(report, ["crm", "origin", "cases", "closed", "median hours", "within SLA"])
    calls = Table("crm", "calls", "median minutes", title="Call durations")
    for row in report["calls"]:
        calls.add_row(row["crm"], str(row["calls"]), str(row["median_minutes"]))
    yield calls if report["calls"] else "Call durations: no calls recorded."


def _usage(report: Report) -> Iterator[Table | str]:
    """Rank, employee (name over id), team, score over band, records and the 4-week trend."""
    headers = ("#", "employee", "team", "score", "records", "trend")
    # an employee key stays whole ("dynamics:" and a GUID is 45 characters): when the keys
    # do not fit beside the other columns, one block per employee
    table = Table(*headers, title=report["title"], whole=("employee",))
    for rank, subject, name, team, score, band, records, trend in report["rows"]:
        employee, rated = f"{_cell(name)}\n{subject}", f"{score}\n{band}"
        table.add_row(str(rank), employee, _cell(team), rated, str(records), _cell(trend))
    yield table
    teams = Table("team", "score", "records", title="Teams")
    for row in report["teams"]:
        teams.add_row(row["team"], _cell(row["score"]), str(row["records"]))
    yield teams


def _pay(report: Report) -> Iterator[Table | str]:
    if not report["summary"]:
        yield "Pay run warnings: no plan run stored yet."
        return
    runs = Table("period", "run", "finished", "warnings", title="Latest plan run per period")
    for s in report["summary"]:
        runs.add_row(s["period"], str(s["run"]), _cell(s["finished"]), str(s["warnings"]))
    yield runs
    if report["rows"]:
        yield from _main(report)


_LAYOUTS: dict[str, Callable[[Report], Iterator[Table | str]]] = {
    "channels": _channels,
    "pipeline": _pipeline,
    "service": _service,
    "usage": _usage,
    "pay": _pay,
}
