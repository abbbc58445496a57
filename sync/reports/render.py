"""Report output: CSV and JSON of the main table, and one self-contained HTML page
(inline CSS, inline SVG bar charts) from ``templates/reports/report.html.j2``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import orjson

from crmsync_data import templates

__all__ = ["TEMPLATES", "json_value", "render_csv", "render_html", "render_json"]

TEMPLATES = templates("reports")
_BAR_WIDTH = 420


def render_csv(report: dict[str, Any]) -> str:
    """The report's main table as CSV (header row first).

    Text from the CRMs that a spreadsheet would run as a formula (a cell starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``,
    so a deal named ``=HYPERLINK(...)`` is shown, not obeyed; numbers stay numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_inert(c) for c in report["columns"]])
    writer.writerows([_inert(c) for c in row] for row in report["rows"])
    return buffer.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: Any) -> Any:
    if not isinstance(cell, str) or not cell.startswith(_FORMULA_START):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell  # "-12.50" is a number, not a formula


def json_value(value: Any) -> Any:
    """``orjson``'s ``default``: a ``Decimal`` (a usage score) as a JSON number with its
    exact digits (``83.5`` stays ``83.5``, through no float), anything else (a date) as
    its text. The reports write money as text themselves (``"288000.00"``)."""
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    return str(value)


def render_json(report: dict[str, Any]) -> str:
    """The whole report as JSON (Decimal as exact numbers, dates as strings)."""
    body = {k: v for k, v in report.items() if k != "chart"}
    return orjson.dumps(body, default=json_value, option=orjson.OPT_INDENT_2).decode()


def _bars(chart: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Each bar's label, its figure (a ``Decimal``, a usage score, shown with its exact
    digits; a count or a float as before, ``3.0``) and its geometry. The widths are pixels
    only, never shown as a figure: they may be floats."""
    values = [v if isinstance(v, Decimal) else float(v or 0) for _, v in chart]
    lengths = [float(v) for v in values]
    top = max(lengths, default=0) or 1.0
    return [
        {
            "label": str(label),
            "value": value,
            "width": round(_BAR_WIDTH * length / top, 1),
            "y": 22 * i,
        }
        for i, ((label, _), value, length) in enumerate(zip(chart, values, lengths, strict=True))
    ]


def render_html(reports: list[dict[str, Any]], generated_for: str) -> str:
    """One HTML page with every report given: tables and a bar chart each."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    sections = [dict(r, bars=_bars(r.get("chart", [])[:40])) for r in reports]
    return env.get_template("report.html.j2").render(
        sections=sections, generated_for=generated_for, bar_width=_BAR_WIDTH
    )
