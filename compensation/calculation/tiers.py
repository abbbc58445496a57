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


def _slice(tiers: Sequence[Tier], quota: Decimal, c0: Decimal, c1: Decimal) -> tuple[Decimal, str]:
    """The exact tiered amount of the revenue slice ``[c0, c1)`` (c0 < c1, in quota
    currency), and how: each tier's rate on the part of the slice inside it, summed with
    no rounding (tier bounds are ``from`` x quota and ``to`` x quota).

    Tier 1 extends below 0% when it starts at 0%, so a net negative attainment is priced
    at tier 1's rate rather than at nothing."""
    inside = []
    for index, tier in enumerate(tiers):
        start = tier.start * quota
        low = start if index or tier.start > 0 else min(c0, start)
        high = c1 if tier.end is None else min(c1, tier.end * quota)
        if c0 < high and c1 > low:
            inside.append((index, tier, max(c0, low), high))
    if len(inside) == 1 and c0 >= inside[0][2] and c1 <= inside[0][3]:
        index, tier = inside[0][0], inside[0][1]
        return (c1 - c0) * tier.rate, f"{describe_tier(index, tier)} on 100%"
    width = c1 - c0
    amount = _ZERO
    parts: list[str] = []
    for index, tier, low, high in inside:
        amount += (high - low) * tier.rate
        share = pct(((high - low) / width).quantize(Decimal("0.0001")))
        parts.append(f"{describe_tier(index, tier)} on {share}")
    return amount, "; ".join(parts)


def price_marginal(
    tiers: Sequence[Tier], bases: Sequence[Decimal], quota: Decimal | None
) -> list[tuple[Decimal, str]]:
    """For each base (in quota currency, in close order): (exact tiered amount in quota
    currency, how it was priced). Each slice of a base is priced at its tier's rate and
    the slices summed exactly, never through a blended rate, so rounding the line once
    gives the exact figure's rounding. The amounts sum to the tiered amount of the net
    attainment in any order (see the module docstring)."""
    if quota is None:
        rule = describe_tier(0, tiers[0])
        return [(base * tiers[0].rate, rule) for base in bases]
    out: list[tuple[Decimal, str]] = []
    positive = sum((b for b in bases if b > 0), _ZERO)
    negative = sum((b for b in bases if b < 0), _ZERO)
    top, net = positive / quota, (positive + negative) / quota
    off_top: tuple[Decimal, str] | None = None
    if negative:
        amount, how = _slice(tiers, quota, positive + negative, positive)
        off_top = (
            -amount,
            f"marginal, off the top of the period's attainment ({pct(round(top, 4))} → "
            f"{pct(round(net, 4))}): {how}",
        )
    cumulative = _ZERO
    for base in bases:
        if base < 0 and off_top is not None:
            # Each negative line takes its share of the slice off the top; a single one
            # takes all of it exactly.
            whole, how = off_top
            out.append((whole if base == negative else whole * base / negative, how))
            continue
        c0 = cumulative
        cumulative += base
        if base == 0:
            index = tier_at(tiers, c0 / quota)
            out.append((_ZERO, f"marginal: {describe_tier(index, tiers[index])}"))
            continue
        amount, how = _slice(tiers, quota, c0, cumulative)
        out.append((amount, f"marginal: {how}"))
    return out
