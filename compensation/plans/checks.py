"""Rules across fields of one plan version, in words an admin understands.

Each check returns ``(key path, message)`` pairs; the loader turns the path into a line.
"""

from __future__ import annotations

from decimal import Decimal

from compensation.money import ROUNDING_MODES
from compensation.plans.components import (
    CommissionComponent,
    KpiBonusComponent,
    SpiffComponent,
    Tier,
    UsageMultiplierComponent,
)
from compensation.plans.model import PlanVersion
from compensation.plans.values import format_percent as pct
from compensation.yamlsource import KeyPath

__all__ = ["Problem", "check_version"]

Problem = tuple[KeyPath, str]


def _check_tiers(tiers: tuple[Tier, ...], base: KeyPath) -> list[Problem]:
    problems: list[Problem] = []
    if tiers[0].start != 0:
        problems.append(
            ((*base, 0, "from"), f"tier 1 starts at {pct(tiers[0].start)}; start at 0%")
        )
    for i, tier in enumerate(tiers):
        n = i + 1
        if tier.rate < 0:
            problems.append(((*base, i, "rate"), f"tier {n} has a negative rate"))
        if tier.end is not None and tier.end <= tier.start:
            problems.append(
                (
                    (*base, i, "to"),
                    f"tier {n} ends at {pct(tier.end)}, not after where it starts "
                    f"({pct(tier.start)})",
                )
            )
        if i == 0:
            continue
        previous = tiers[i - 1]
        if previous.end is None:
            problems.append(
                (
                    (*base, i - 1, "to"),
                    f"tier {i} has no end but tier {n} follows it; give it a 'to'",
                )
            )
        elif tier.start != previous.end:
            gap = "a gap" if tier.start > previous.end else "an overlap"
            problems.append(
                (
                    (*base, i, "from"),
                    f"tier {n} starts at {pct(tier.start)} but tier {i} ends at "
                    f"{pct(previous.end)} ({gap}); make them meet",
                )
            )
    return problems


def _check_spiff(comp: SpiffComponent, base: KeyPath) -> list[Problem]:
    problems: list[Problem] = []
    if (comp.per_deal is None) == (comp.rate is None):
        problems.append((base, f"SPIFF {comp.name!r}: give exactly one of per_deal and rate"))
    if comp.window is not None and comp.window.end < comp.window.start:
        problems.append(((*base, "window"), "the window ends before it starts"))
    if not comp.products and comp.window is None:
        problems.append((base, f"SPIFF {comp.name!r}: give products, a window, or both"))
    return problems


def _check_usage_multiplier(
    comp: UsageMultiplierComponent, base: KeyPath, names: dict[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    for j, target in enumerate(comp.applies_to):
        if names.get(target) != "commission":
            problems.append(
                ((*base, "applies_to", j), f"{target!r} is not a commission component here")
            )
    problems += _check_bands(
        [b.min_score for b in comp.bands], (*base, "bands"), "min_score", "score"
    )
    for j, band in enumerate(comp.bands):
        if band.multiplier < 0:
            problems.append(((*base, "bands", j, "multiplier"), "multiplier is negative"))
    return problems


def _check_component(plan: PlanVersion, index: int, names: dict[str, str]) -> list[Problem]:
    comp = plan.components[index]
    base: KeyPath = ("components", index)
    problems: list[Problem] = []
    if isinstance(comp, CommissionComponent):
        problems += _check_tiers(comp.tiers, (*base, "tiers"))
        if comp.threshold is not None and comp.threshold < 0:
            problems.append(((*base, "threshold"), "threshold cannot be negative"))
    elif isinstance(comp, SpiffComponent):
        problems += _check_spiff(comp, base)
    elif isinstance(comp, UsageMultiplierComponent):
        problems += _check_usage_multiplier(comp, base, names)
    elif isinstance(comp, KpiBonusComponent):
        for j, kpi_band in enumerate(comp.bands):
            if (kpi_band.at_least is None) == (kpi_band.at_most is None):
                problems.append(((*base, "bands", j), "give exactly one of at_least and at_most"))
    else:
        if not 0 <= comp.min_score <= 100:
            problems.append(((*base, "min_score"), "usage scores run from 0 to 100"))
    return problems


def _check_bands(values: list[Decimal], base: KeyPath, key: str, what: str) -> list[Problem]:
    problems: list[Problem] = []
    for j, value in enumerate(values):
        if not 0 <= value <= 100:
            problems.append(((*base, j, key), f"{what}s run from 0 to 100, got {value}"))
        if j and value >= values[j - 1]:
            problems.append(
                (
                    (*base, j, key),
                    f"band {j + 1} starts at {value}, not below band {j} ({values[j - 1]}): "
                    "list bands from the highest",
                )
            )
    return problems


def check_version(plan: PlanVersion) -> list[Problem]:
    """Every cross-field problem of one plan version."""
    problems: list[Problem] = []
    if plan.effective_to is not None and plan.effective_to < plan.effective_from:
        problems.append((("effective_to",), "the version ends before it starts"))
    if plan.rounding not in ROUNDING_MODES:
        known = ", ".join(sorted(ROUNDING_MODES))
        problems.append(
            (("rounding",), f"unknown rounding mode {plan.rounding!r}; use one of {known}")
        )
    names: dict[str, str] = {}
    for index, comp in enumerate(plan.components):
        if comp.name in names:
            problems.append(
                (("components", index, "name"), f"component name {comp.name!r} is used twice")
            )
        names.setdefault(comp.name, comp.kind)
    for index in range(len(plan.components)):
        problems += _check_component(plan, index, names)
    for key in ("cap",):
        value = getattr(plan, key)
        if value is not None and value < 0:
            problems.append(((key,), f"{key} cannot be negative"))
    return problems
