"""Tiered rates over attainment, marginal and retroactive.

Marginal (tax brackets): credit lines are taken in order; each line's slice of
attainment ``[a0, a1)`` pays each tier's rate on the part of the slice inside the tier, so
the line's effective rate is the portion-weighted mix. Retroactive: every line pays the
rate of the tier the final attainment falls in. Without a quota, tier 1's rate applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from compensation.plans import Tier
from compensation.plans.values import format_percent as pct

__all__ = ["describe_tier", "price_marginal", "tier_at"]

_ZERO = Decimal(0)


def describe_tier(index: int, tier: Tier) -> str:
    """``tier 2 (50%–100%) at 4%`` or ``tier 3 (from 100%) at 6%``."""
    if tier.end is None:
        return f"tier {index + 1} (from {pct(tier.start)}) at {pct(tier.rate)}"
    return f"tier {index + 1} ({pct(tier.start)}–{pct(tier.end)}) at {pct(tier.rate)}"


def tier_at(tiers: Sequence[Tier], attainment: Decimal | None) -> int:
    """Index of the tier containing ``attainment`` (0 when None or below tier 1)."""
    if attainment is None:
        return 0
    found = 0
    for index, tier in enumerate(tiers):
        if attainment >= tier.start:
            found = index
    return found


def price_marginal(
    tiers: Sequence[Tier], bases: Sequence[Decimal], quota: Decimal | None
) -> list[tuple[Decimal, str]]:
    """For each base (in quota currency, in order): (effective rate, how it was priced)."""
    if quota is None:
        rule = describe_tier(0, tiers[0])
        return [(tiers[0].rate, rule)] * len(bases)
    out: list[tuple[Decimal, str]] = []
    whole = [f"marginal: {describe_tier(i, t)} on 100%" for i, t in enumerate(tiers)]
    cumulative = _ZERO
    for base in bases:
        a0 = cumulative / quota
        cumulative += base
        a1 = cumulative / quota
        if base <= 0:
            # A negative credit (a reversal) comes off at the rate in force where it lands.
            index = tier_at(tiers, a1)
            out.append((tiers[index].rate, describe_tier(index, tiers[index]) + ", marginal"))
            continue
        inside = [
            (index, tier)
            for index, tier in enumerate(tiers)
            if (tier.end is None or a0 < tier.end) and a1 > tier.start
        ]
        if len(inside) == 1 and a0 >= inside[0][1].start:
            index, tier = inside[0]
            out.append((tier.rate, whole[index]))
            continue
        width = a1 - a0
        rate = _ZERO
        parts: list[str] = []
        for index, tier in inside:
            low = max(a0, tier.start)
            high = a1 if tier.end is None else min(a1, tier.end)
            portion = (high - low) / width
            rate += portion * tier.rate
            share = pct(portion.quantize(Decimal("0.0001")))
            parts.append(f"{describe_tier(index, tier)} on {share}")
        out.append((rate, "marginal: " + "; ".join(parts)))
    return out
