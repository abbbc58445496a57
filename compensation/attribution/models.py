"""Rule-based attribution models over an ordered touch path (reference section 3.1).

Every model returns one exact :class:`~fractions.Fraction` weight per touch, in path
order, summing to exactly 1. :func:`channel_credit` folds them into a per-channel credit
for one conversion as Decimals that also sum to exactly 1 (largest remainder).

Milestones (W-shaped, full-path) are positions in the path: first touch F = 0, the lead
creation touch L and the opportunity creation touch O are given by the caller, the
closing touch C is the last. Coinciding milestones merge their shares; when no touch is
left outside the milestones, the "rest" share is spread over the milestones pro rata.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Literal

from compensation.money import allocate

__all__ = [
    "DecayFormula",
    "Model",
    "channel_credit",
    "first_touch",
    "fractions_to_shares",
    "full_path",
    "last_touch",
    "linear",
    "path_weights",
    "time_decay",
    "u_shaped",
    "w_shaped",
]

Model = Literal["first", "last", "linear", "u_shaped", "w_shaped", "full_path", "time_decay"]
DecayFormula = Literal["half_life_continuous", "half_life_step"]
_ONE = Fraction(1)


def _check_n(n: int) -> None:
    if n < 1:
        raise ValueError("a conversion path needs at least one touch")


def first_touch(n: int) -> tuple[Fraction, ...]:
    """100% to the first touch."""
    _check_n(n)
    return (_ONE, *[Fraction(0)] * (n - 1))


def last_touch(n: int) -> tuple[Fraction, ...]:
    """100% to the last touch."""
    _check_n(n)
    return (*[Fraction(0)] * (n - 1), _ONE)


def linear(n: int) -> tuple[Fraction, ...]:
    """1/n to each touch."""
    _check_n(n)
    return tuple(Fraction(1, n) for _ in range(n))


def u_shaped(n: int) -> tuple[Fraction, ...]:
    """Position-based: 40% first, 40% last, 20% equally over the middle; n=1: 100%,
    n=2: 50/50."""
    _check_n(n)
    if n <= 2:
        return linear(n)
    middle = Fraction(1, 5) / (n - 2)
    return (Fraction(2, 5), *[middle] * (n - 2), Fraction(2, 5))


def _milestone_model(
    n: int, milestones: Sequence[int], each: Fraction, rest: Fraction
) -> tuple[Fraction, ...]:
    _check_n(n)
    for index in milestones:
        if not 0 <= index < n:
            raise ValueError(f"milestone index {index} is outside a path of {n} touches")
    weights = [Fraction(0)] * n
    for index in milestones:
        weights[index] += each
    others = [i for i in range(n) if weights[i] == 0]
    if others:
        for i in others:
            weights[i] = rest / len(others)
    else:
        scale = Fraction(1) / sum(weights)
        weights = [w * scale for w in weights]
    return tuple(weights)


def w_shaped(n: int, *, lead_index: int, opportunity_index: int) -> tuple[Fraction, ...]:
    """30% each to first touch, lead creation and opportunity creation, 10% equally over
    the other touches."""
    return _milestone_model(n, (0, lead_index, opportunity_index), Fraction(3, 10), Fraction(1, 10))


def full_path(n: int, *, lead_index: int, opportunity_index: int) -> tuple[Fraction, ...]:
    """Z-shaped: 22.5% each to first, lead creation, opportunity creation and the closing
    (last) touch, 10% equally over the other touches."""
    return _milestone_model(
        n, (0, lead_index, opportunity_index, n - 1), Fraction(9, 40), Fraction(1, 10)
    )


def time_decay(
    ages_days: Sequence[Decimal],
    *,
    half_life_days: Decimal = Decimal(7),
    formula: DecayFormula = "half_life_continuous",
) -> tuple[Fraction, ...]:
    """Raw weight ``2 ** (-age / H)`` (``half_life_continuous``) or
    ``2 ** (-floor(age / H))`` (``half_life_step``) for a touch ``age`` days before the
    conversion, normalised. Continuous powers are computed with 40 significant digits, so
    results are deterministic; at whole multiples of H they are exact (7-day half-life,
    ages 0/7/14/28: 16/29, 8/29, 4/29, 1/29)."""
    _check_n(len(ages_days))
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    raw: list[Fraction] = []
    with localcontext() as ctx:
        ctx.prec = 40
        for age in ages_days:
            if age < 0:
                raise ValueError(f"a touch cannot be after its conversion (age {age} days)")
            if formula == "half_life_step":
                raw.append(Fraction(1, 2 ** int(age // half_life_days)))
            else:
                raw.append(Fraction(Decimal(2) ** (-(Decimal(age) / half_life_days))))
    total = sum(raw)
    return tuple(w / total for w in raw)


def path_weights(
    model: Model,
    n: int,
    *,
    lead_index: int | None = None,
    opportunity_index: int | None = None,
    ages_days: Sequence[Decimal] | None = None,
    half_life_days: Decimal = Decimal(7),
    formula: DecayFormula = "half_life_continuous",
) -> tuple[Fraction, ...]:
    """Dispatch by model name. Milestones default to the first touch (lead) and the last
    touch (opportunity) when the caller has none; time decay needs ``ages_days``."""
    if model == "first":
        return first_touch(n)
    if model == "last":
        return last_touch(n)
    if model == "linear":
        return linear(n)
    if model == "u_shaped":
        return u_shaped(n)
    lead = 0 if lead_index is None else lead_index
    opportunity = n - 1 if opportunity_index is None else opportunity_index
    if model == "w_shaped":
        return w_shaped(n, lead_index=lead, opportunity_index=opportunity)
    if model == "full_path":
        return full_path(n, lead_index=lead, opportunity_index=opportunity)
    if model == "time_decay":
        if ages_days is None or len(ages_days) != n:
            raise ValueError("time_decay needs one age (in days) per touch")
        return time_decay(ages_days, half_life_days=half_life_days, formula=formula)
    raise ValueError(f"unknown attribution model {model!r}")


def fractions_to_shares(
    weights: Sequence[Fraction], keys: Sequence[str], places: int = 12
) -> list[Decimal]:
    """Exact fractions → Decimals at ``places`` that sum exactly to their total (largest
    remainder over integer-scaled weights, tie-break by key)."""
    common = math.lcm(*(w.denominator for w in weights)) if weights else 1
    scaled = [Decimal(int(w * common)) for w in weights]
    total = sum(weights, Fraction(0))
    total_decimal = Decimal(total.numerator) / Decimal(total.denominator)
    return allocate(total_decimal.quantize(Decimal(1).scaleb(-places)), scaled, keys, places)


def channel_credit(
    path: Sequence[str], model: Model, *, places: int = 12, **options: object
) -> dict[str, Decimal]:
    """Credit per channel for one conversion along ``path`` (channels in time order),
    summing to exactly 1 at ``places``. ``options`` go to :func:`path_weights`."""
    weights = path_weights(model, len(path), **options)  # type: ignore[arg-type]
    per_channel: dict[str, Fraction] = {}
    for channel, weight in zip(path, weights, strict=True):
        per_channel[channel] = per_channel.get(channel, Fraction(0)) + weight
    channels = sorted(per_channel)
    shares = fractions_to_shares([per_channel[c] for c in channels], channels, places)
    return dict(zip(channels, shares, strict=True))
