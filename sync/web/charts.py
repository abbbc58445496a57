"""Charts drawn on the server: a Vega-Lite spec built with altair, rendered to SVG by
vl-convert and put inline in the page (no script, nothing fetched by the browser).

Each function takes plain rows and returns the SVG text (markup the page includes as is;
every label in it is escaped by the SVG writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert

__all__ = ["bars", "p_chart", "stacked_bars"]

_FONT = {"font": "DejaVu Sans, Helvetica, Arial, sans-serif"}
_SAID = "said"  # a bar's text for screen readers, with the exact figure


def _svg(chart: Any) -> str:
    spec = chart.configure(**_FONT).configure_view(stroke=None).to_dict()
    return str(vl_convert.vegalite_to_svg(spec))


def bars(
    rows: Sequence[dict[str, Any]], label: str, value: str, title: str, exact: bool = False
) -> str:
    """Horizontal bars of ``value`` per ``label``, largest first.

    A bar's length is a float: geometry only, Vega-Lite draws numbers. With ``exact`` (the
    values are ``Decimal`` figures, usage scores) each bar's text (its ``aria-label``) names
    the figure by its own digits, ``score: 100.0; name: …``, not by the float's ``100``;
    without it Vega writes the number (money with its grouping)."""
    data = alt.Data(
        values=[
            {label: r[label], value: float(r[value] or 0)}
            | ({_SAID: f"{value}: {r[value] or 0}; {label}: {r[label]}"} if exact else {})
            for r in rows
        ]
    )
    encoding: dict[str, Any] = {"description": f"{_SAID}:N"} if exact else {}
    chart = (
        alt.Chart(data, title=title)
        .mark_bar(color="#3b6ea5")
        .encode(
            y=alt.Y(f"{label}:N", sort="-x", title=None),
            x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
            tooltip=[f"{label}:N", f"{value}:Q"],
            **encoding,
        )
        .properties(width=420)
    )
    return _svg(chart)


def stacked_bars(
    rows: Sequence[dict[str, Any]], label: str, stack: str, value: str, title: str
) -> str:
    """Horizontal bars per ``label`` stacked by ``stack`` (pipeline by client and stage)."""
    # floats: the stacked lengths are geometry (Vega writes the sums in the bars' labels)
    data = alt.Data(
        values=[{label: r[label], stack: r[stack], value: float(r[value] or 0)} for r in rows]
    )
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{label}:N", sort="-x", title=None),
            x=alt.X(f"sum({value}):Q", title=value.replace("_", " ")),
            color=alt.Color(f"{stack}:N", title=stack.replace("_", " ")),
            tooltip=[f"{label}:N", f"{stack}:N", f"{value}:Q"],
        )
        .properties(width=420)
    )
    return _svg(chart)


def p_chart(points: Sequence[dict[str, Any]], title: str) -> str:
    """A p-chart: the share per period (line and points), the centre line and the 3-sigma
    limits for each period's size (steps); points outside the limits drawn red."""
    values = [
        {
            "period": p["period"],
            "rate": p["rate"],
            "centre": p["centre"],
            "ucl": p["ucl"],
            "lcl": p["lcl"],
            "state": "out of control" if p["out"] else "in control",
        }
        for p in points
    ]
    base = alt.Chart(alt.Data(values=values), title=title).encode(
        x=alt.X("period:O", title="month")
    )
    rate = alt.Y("rate:Q", title="conversion rate", axis=alt.Axis(format="%"))
    line = base.mark_line(color="#3b6ea5").encode(y=rate)
    dots = base.mark_point(filled=True, size=60).encode(
        y=rate,
        color=alt.Color(
            "state:N",
            scale=alt.Scale(domain=["in control", "out of control"], range=["#3b6ea5", "#c62828"]),
            title=None,
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=["period:O", alt.Tooltip("rate:Q", format=".1%"), "state:N"],
    )
    limits = base.mark_line(interpolate="step", strokeDash=[4, 3], color="#888")
    centre = base.mark_line(color="#555").encode(y="centre:Q")
    chart = alt.layer(line, dots, limits.encode(y="ucl:Q"), limits.encode(y="lcl:Q"), centre)
    return _svg(chart.properties(width=380, height=140))
