"""Value types for plan YAML: percentages (``"3%"``), money and rates.

A percentage carries its unit: ``"1.5%"``. A bare number (``1.5``, ``"0.015"``) is
refused, because ``rate: "1.5"`` reads as 1.5% to one admin and 150% to another; a rate
may instead be given as a fraction under an explicit key (``rate_fraction: 0.015``).
YAML reads ``0.03`` as a float; it is converted through its shortest repr (``"0.03"``),
which is exactly what the admin wrote, so no binary fraction ever reaches money code.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

__all__ = ["Amount", "Fraction", "Percent", "RatePercent", "format_percent", "to_number"]


def to_number(value: Any, *, percent: bool) -> Any:
    """``"12.5%"`` → ``0.125`` (when ``percent``); floats via repr; else unchanged."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not yes/no")
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        scale = Decimal(1)
        if text.endswith("%"):
            if not percent:
                raise ValueError(f"{value!r}: write an amount here, not a percentage")
            text, scale = text[:-1].strip(), Decimal("0.01")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a number") from exc
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return number * scale
    return value


def format_percent(value: Decimal) -> str:
    """``Decimal("0.9")`` → ``"90%"`` (for messages and explanations)."""
    text = format((value * 100).normalize(), "f")
    return f"{text}%"


def _percent(value: Any) -> Any:
    return to_number(value, percent=True)


def _unit_required(value: Any, advice: str) -> Any:
    """A percentage with its ``%``; a Decimal passed by code is a fraction already."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and value.strip().endswith("%"):
        return to_number(value, percent=True)
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        number = to_number(value, percent=False)
        if isinstance(number, Decimal) and number:  # 0 is 0 in any unit
            shown = format(number.normalize(), "f")
            hundred = format((number * 100).normalize(), "f")
            raise ValueError(f"{value!r} has no unit: {advice.format(n=shown, p=hundred)}")
    return to_number(value, percent=True)


def _percent_only(value: Any) -> Any:
    return _unit_required(value, 'write a percentage, e.g. "{n}%"')


def _rate_percent(value: Any) -> Any:
    return _unit_required(
        value, 'write "{n}%" for {n} percent, or rate_fraction: {n} if you mean {p}%'
    )


def _amount(value: Any) -> Any:
    return to_number(value, percent=False)


_as_text = PlainSerializer(lambda v: str(v), return_type=str, when_used="json")

# A ratio: "90%", "0.9" or 0.9 all mean nine tenths.
Fraction = Annotated[Decimal, BeforeValidator(_percent), _as_text]
# A ratio that must carry its unit in YAML: "90%" (a bare 0.9 is refused).
Percent = Annotated[Decimal, BeforeValidator(_percent_only), _as_text]
# A rate that must carry its unit in YAML: "1.5%" (or rate_fraction: 0.015 instead).
RatePercent = Annotated[Decimal, BeforeValidator(_rate_percent), _as_text]
# An amount of money or a count: "50000", 50000, "1_500.50".
Amount = Annotated[Decimal, BeforeValidator(_amount), _as_text]
