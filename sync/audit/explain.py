"""A usage score laid out so a rep can recompute it with a pencil.

Each component line carries the rep's own k/n, the team's pooled Σk/Σn (from the same
run's scores), the value the score used and how it was reached (kept, or lifted toward
the team), its weight, the points it adds, the rules whose findings lower it, and the
rep's own findings of those rules: the record, its link and what the finding rests on
(when an activity entered the CRM, how long a lead has waited...).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sync.audit.findings import Finding
from sync.audit.scores import RULE_COMPONENTS, UsageScore, decimal_of, team_ratios
from sync.store.view.usage import figure

__all__ = ["explain_score"]


def explain_score(
    scores: dict[str, UsageScore],
    subject: str,
    shrink_m: float,
    dup_rate_cap: float,
    findings: list[Finding] | None = None,
) -> dict[str, Any]:
    """The breakdown of ``scores[subject]`` (an employee's score) as plain data, with the
    employee's ``findings`` (those of other employees are ignored) under the component
    each lowers."""
    score = scores[subject]
    mine: dict[str, list[dict[str, str]]] = {}
    for f in findings or []:
        component = RULE_COMPONENTS.get(f.rule)
        if f.employee == subject and component is not None:
            mine.setdefault(component, []).append(
                {
                    "rule": f.rule,
                    "object": f.object,
                    "remote_id": f.remote_id,
                    "message": f.message,
                    "link": f.link,
                }
            )
    pooled = team_ratios(
        {
            s.subject: (s.team, {c.name: (c.numerator, c.denominator) for c in s.components})
            for s in scores.values()
            if s.kind == "employee"
        }
    ).get(score.team, {})
    used = [c for c in score.components if c.value is not None and c.weight > 0]
    total_weight = sum((c.weight for c in used), Decimal(0)).normalize()
    lines: list[dict[str, Any]] = []
    for c in score.components:
        tk, tn = pooled.get(c.name, (0, 0))
        lines.append(
            {
                "component": c.name,
                "numerator": c.numerator,
                "denominator": c.denominator,
                "raw": _r(c.raw),
                "team_numerator": tk,
                "team_denominator": tn,
                "team_ratio": _r(Fraction(tk, tn) if tn else None),
                "value": c.value,
                "how": _how(c.name, c.numerator, c.denominator, tk, tn, shrink_m, dup_rate_cap),
                "weight": c.weight,
                "points": (
                    figure(100 * Fraction(c.weight * c.value) / Fraction(total_weight), 2)
                    if c in used and c.value is not None
                    else None
                ),
                "rules": sorted(r for r, name in RULE_COMPONENTS.items() if name == c.name),
                "findings": mine.get(c.name, []),
            }
        )
    formula = " + ".join(f"{_written(c.weight)}×{c.value:.4f}" for c in used if c.value is not None)
    return {
        "employee": score.subject,
        "name": score.name,
        "team": score.team,
        "profile": score.profile,
        "active": score.active,
        "score": score.score,
        "users": [list(u) for u in score.users],
        "shrink_m": shrink_m,
        "formula": f"100 × ({formula}) / {total_weight:f}" if used else "no component counts",
        "components": lines,
    }


def _r(value: Fraction | None) -> Decimal | None:
    return None if value is None else figure(value, 4)


def _how(name: str, k: int, n: int, tk: int, tn: int, m: float, cap: float) -> str:
    """How the value was reached, in words: the team's ratio shown at 4 places (exact,
    half to even), ``m`` and the cap as the decimals the configuration writes them as."""
    if not n:
        return "no records: does not count"
    mm, cc = _written(m), _written(cap)
    if name == "uniqueness":
        good, team_good = n - k, tn - tk
        p = Fraction(team_good, tn)
        if Fraction(good, n) >= p or n >= Fraction(decimal_of(m)):
            share = f"duplicate-free {good}/{n} kept"
        else:
            share = f"duplicate-free {good}/{n} + ({mm} − {n})/{mm} × ({_four(p)} − {good}/{n})"
        return f"{share}; value = max(0, 1 − (1 − share) / {cc})"
    p = Fraction(tk, tn)
    if Fraction(k, n) >= p:
        return f"kept: {k}/{n} ≥ team {_four(p)}"
    if n >= Fraction(decimal_of(m)):
        return f"kept: {n} records ≥ m = {mm}"
    return f"lifted: {k}/{n} + ({mm} − {n})/{mm} × ({_four(p)} − {k}/{n})"


def _four(ratio: Fraction) -> str:
    """``ratio`` at 4 places, every place written (``0.7000``)."""
    return f"{figure(ratio, 4):.4f}"


def _written(number: float | Decimal) -> str:
    """A configured number as written, without trailing zeros (``5``, ``0.3``, ``100``)."""
    return f"{decimal_of(number).normalize():f}"
