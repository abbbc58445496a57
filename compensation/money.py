"""Money helpers: exact Decimal conversion, quantizing, and splits that sum to the cent.

Rules (reference section 4): money is :class:`~decimal.Decimal`, built from strings or
ints, never floats; intermediates keep full precision and only final amounts are
quantized; a split of a total over weights uses the largest-remainder (Hamilton) method
with a stable tie-break by key, so the parts always sum exactly to the total and the
result does not depend on input order; a negative total (a clawback) is split as its
absolute value and the sign re-applied, so a reversal mirrors the original split exactly.

Errors: :class:`MoneyError` (a ``ValueError``) for values that are not valid money, and
``TypeError`` (as :class:`FloatMoneyError`) when a float is passed where money is expected.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal

__all__ = [
    "ROUNDING_MODES",
    "FloatMoneyError",
    "MoneyError",
    "allocate",
    "allocate_units",
    "quantize",
    "to_decimal",
]

ROUNDING_MODES: frozenset[str] = frozenset(
    {
        decimal.ROUND_CEILING,
        decimal.ROUND_DOWN,
        decimal.ROUND_FLOOR,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_UP,
        decimal.ROUND_05UP,
    }
)


class MoneyError(ValueError):
    """A value cannot be used as money (not a number, not finite, too many places...)."""


class FloatMoneyError(MoneyError, TypeError):
    """A float was given where money is expected; floats cannot represent cents exactly."""


def to_decimal(value: object) -> Decimal:
    """Convert ``value`` (str, int or Decimal) to a finite Decimal.

    Floats are refused: ``Decimal(0.1)`` is ``0.1000000000000000055...``, so a float that
    reached money code is a bug upstream. Pass the original string instead.
    """
    if isinstance(value, bool):
        raise MoneyError(f"a boolean ({value!r}) is not an amount")
    if isinstance(value, float):
        raise FloatMoneyError(
            f"refusing float {value!r} as money: floats cannot hold cents exactly; "
            f"pass a string such as {repr(value)!r} or a Decimal"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except decimal.InvalidOperation as exc:
            raise MoneyError(f"{value!r} is not a number") from exc
    else:
        raise MoneyError(f"cannot use {type(value).__name__} {value!r} as money")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    return result


def _exponent(places: int) -> Decimal:
    if places < 0:
        raise MoneyError(f"places must be 0 or more, got {places}")
    return Decimal(1).scaleb(-places)


def quantize(amount: Decimal, places: int = 2, rounding: str = "ROUND_HALF_EVEN") -> Decimal:
    """Round ``amount`` to ``places`` decimal places with a :mod:`decimal` rounding mode
    named as a string (``"ROUND_HALF_EVEN"``, ``"ROUND_HALF_UP"``, ...)."""
    if rounding not in ROUNDING_MODES:
        known = ", ".join(sorted(ROUNDING_MODES))
        raise MoneyError(f"unknown rounding mode {rounding!r}; use one of: {known}")
    amount = to_decimal(amount)
    return amount.quantize(_exponent(places), rounding=rounding)


def _scaled_ints(weights: Sequence[Decimal]) -> list[int]:
    """Weights as integers with the same ratios (exact: scale by a common power of ten)."""
    decimals = [to_decimal(w) for w in weights]
    for w in decimals:
        if w < 0:
            raise MoneyError(f"weights must not be negative, got {w}")
    places = max((max(0, -int(w.as_tuple().exponent)) for w in decimals), default=0)
    return [int(w.scaleb(places)) for w in decimals]


def allocate(
    total: Decimal,
    weights: Sequence[Decimal],
    keys: Sequence[str],
    places: int = 2,
) -> list[Decimal]:
    """Split ``total`` over ``weights`` so the parts sum exactly to ``total``.

    Largest remainder (Hamilton) in minor units of ``10**-places``: each part gets the
    floor of its exact share, then the leftover units go one each to the largest
    fractional remainders; ties are broken by ``key`` (then by larger weight), never by
    position. Zero weights get exactly 0. A negative total is split as its absolute value
    and negated, so ``allocate(-x, ...) == [-p for p in allocate(x, ...)]``. Each part is
    within one minor unit of its exact share. ``total`` must already be exact at
    ``places`` (quantize it first).
    """
    if len(weights) != len(keys):
        raise MoneyError(f"got {len(weights)} weights but {len(keys)} keys")
    total = to_decimal(total)
    unit = _exponent(places)
    minor = total.scaleb(places)
    if minor != minor.to_integral_value():
        raise MoneyError(f"total {total} has more than {places} decimal places; quantize it first")
    scaled = _scaled_ints(weights)
    weight_sum = sum(scaled)
    magnitude = abs(int(minor))
    if not scaled:
        if magnitude:
            raise MoneyError(f"cannot split {total} over no weights")
        return []
    if weight_sum == 0:
        if magnitude:
            raise MoneyError(f"cannot split {total}: all weights are zero")
        return [Decimal(0).quantize(unit)] * len(scaled)
    floors = allocate_units(magnitude, scaled, keys)
    sign = -1 if minor < 0 else 1
    return [(Decimal(sign * units) * unit).quantize(unit) for units in floors]


def allocate_units(units: int, weights: Sequence[int], keys: Sequence[str]) -> list[int]:
    """Largest-remainder split of a non-negative whole number of ``units`` over
    non-negative integer ``weights`` (not all zero); ties go to the smaller key, then the
    larger weight. The integer core of :func:`allocate`, for callers that already hold
    exact integer weights."""
    weight_sum = sum(weights)
    if units < 0 or weight_sum <= 0:
        raise MoneyError("allocate_units needs units >= 0 and a positive weight sum")
    floors: list[int] = []
    remainders: list[int] = []
    for w in weights:
        q, r = divmod(units * w, weight_sum)
        floors.append(q)
        remainders.append(r)
    leftover = units - sum(floors)
    if leftover:
        ranked = sorted([(-remainders[i], keys[i], -w, i) for i, w in enumerate(weights) if w > 0])
        for item in ranked[:leftover]:
            floors[item[3]] += 1
    return floors
