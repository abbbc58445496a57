"""Tiered rates over attainment, marginal and retroactive.

Marginal (tax brackets) pays, for the period, exactly the tiered amount of the period's
net attainment, whatever order the deals closed in:

- positive credit lines fill the tiers in close order: a line's slice of attainment
  ``[a0, a1)`` (counting positive lines only) pays each tier's rate on the part of the
  slice inside the tier, so the line's effective rate is the portion-weighted mix;
- negative credit lines (a won deal with a negative amount) come off the top: together
  they pay the tiered rate of the slice between the net attainment and the attainment of
  the positive lines, each in proportion to its amount.

So +60,000, −20,000 and +20,000 against a 100,000 quota pay the tiers on 60% in every
order. Retroactive: every line pays the rate of the tier the final attainment falls in.
Without a quota, tier 1's rate applies.
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


def _slice(tiers: Sequence[Tier], a0: Decimal, a1: Decimal) -> tuple[Decimal, str]:
    """Effective rate of the attainment slice ``[a0, a1)`` (a0 < a1), and how.

    Tier 1 extends below 0% when it starts at 0%, so a net negative attainment is priced
    at tier 1's rate rather than at nothing."""
    inside = []
    for index, tier in enumerate(tiers):
        low = tier.start if index or tier.start > 0 else min(a0, tier.start)
        high = a1 if tier.end is None else min(a1, tier.end)
        if a0 < high and a1 > low:
            inside.append((index, tier, max(a0, low), high))
    if len(inside) == 1 and a0 >= inside[0][2] and a1 <= inside[0][3]:
        index, tier = inside[0][0], inside[0][1]
        return tier.rate, f"{describe_tier(index, tier)} on 100%"
    width = a1 - a0
    rate = _ZERO
    parts: list[str] = []
    for index, tier, low, high in inside:
        portion = (high - low) / width
        rate += portion * tier.rate
        share = pct(portion.quantize(Decimal("0.0001")))
        parts.append(f"{describe_tier(index, tier)} on {share}")
    return rate, "; ".join(parts)


def price_marginal(
    tiers: Sequence[Tier], bases: Sequence[Decimal], quota: Decimal | None
) -> list[tuple[Decimal, str]]:
    """For each base (in quota currency, in close order): (effective rate, how it was
    priced). The bases times their rates sum to the tiered amount of the net attainment
    in any order (see the module docstring)."""
    if quota is None:
        rule = describe_tier(0, tiers[0])
        return [(tiers[0].rate, rule)] * len(bases)
    out: list[tuple[Decimal, str]] = []
    positive = sum((b for b in bases if b > 0), _ZERO)
    negative = sum((b for b in bases if b < 0), _ZERO)
    top, net = positive / quota, (positive + negative) / quota
    off_top: tuple[Decimal, str] | None = None
    if negative:
        rate, how = _slice(tiers, net, top)
        off_top = (
            rate,
            f"marginal, off the top of the period's attainment ({pct(round(top, 4))} → "
            f"{pct(round(net, 4))}): {how}",
        )
    cumulative = _ZERO
    for base in bases:
        if base < 0 and off_top is not None:
            out.append(off_top)
            continue
        a0 = cumulative / quota
        cumulative += base
        if base == 0:
            index = tier_at(tiers, a0)
            out.append((tiers[index].rate, f"marginal: {describe_tier(index, tiers[index])}"))
            continue
        rate, how = _slice(tiers, a0, cumulative / quota)
        out.append((rate, f"marginal: {how}"))
    return out
