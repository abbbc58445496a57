"""The waterfall of one compared pair: how each field's weight moves the score from the
prior (a trained model's odds that two records are one) to the total, drawn as SVG.

Steps are laid out on one axis of log2 odds: each starts where the previous ended and
spans its weight (rightwards when it agrees, leftwards when it disagrees); the threshold
the pair had to reach is a vertical line.
"""

from __future__ import annotations

from typing import Any

from crmsync_data import templates

__all__ = ["WIDTH", "render_page", "waterfall"]

_TEMPLATES = templates("reports")

WIDTH = 520  # pixels of the axis
ROW = 22  # pixels per step


def waterfall(pair: dict[str, Any], threshold: float | None = None) -> dict[str, Any]:
    """Bars for ``pair`` (an ``explain_record`` pair): a ``prior`` step when the pair was
    scored by a model, one step per comparison, then the total."""
    prior = float(pair.get("prior", 0.0))
    steps: list[tuple[str, float]] = []
    if "prior" in pair:
        steps.append(("prior", prior))
    steps += [(f"{c['field']} {c['level']}", float(c["weight"])) for c in pair["comparisons"]]
    start = 0.0
    spans = []
    for label, weight in steps:
        spans.append((label, start, start + weight, weight))
        start += weight
    # The threshold is on the score's scale (without the prior): place it after the prior.
    line = threshold + prior if threshold is not None else None
    edges = [0.0, start, *(e for _, a, b, _ in spans for e in (a, b))]
    if line is not None:
        edges.append(line)
    low, high = min(edges), max(edges)
    scale = WIDTH / ((high - low) or 1.0)

    def x(value: float) -> float:
        return round((value - low) * scale, 1)

    bars = [
        {
            "label": label,
            "weight": round(weight, 2),
            "x": min(x(a), x(b)),
            "width": max(round(abs(x(b) - x(a)), 1), 1.0),
            "y": ROW * n,
            "kind": "prior" if label == "prior" else ("for" if weight >= 0 else "against"),
        }
        for n, (label, a, b, weight) in enumerate(spans)
    ]
    bars.append(
        {
            "label": "total",
            "weight": round(start, 2),
            "x": min(x(0.0), x(start)),
            "width": max(round(abs(x(start) - x(0.0)), 1), 1.0),
            "y": ROW * len(spans),
            "kind": "total",
        }
    )
    return {
        "bars": bars,
        "zero": x(0.0),
        "threshold": x(line) if line is not None else None,
        "height": ROW * len(bars),
        "width": WIDTH,
    }


def render_page(data: dict[str, Any], thresholds: dict[str, float | None]) -> str:
    """One self-contained HTML page for an ``explain_record`` result: per pair its
    waterfall and its comparisons; ``thresholds`` maps a pair's other record to the score
    it had to reach (None: not known, no line drawn)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pairs = [dict(p, chart=waterfall(p, thresholds.get(p["other"]))) for p in data["pairs"]]
    return env.get_template("explain.html.j2").render(data=data, pairs=pairs)
