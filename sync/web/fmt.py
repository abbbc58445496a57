"""How the pages show values: grouped numbers, money with its currency, dates, rates and
headings in words (``median_hours`` -> "Median hours"), never raw ids where a name is known.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["FILTERS", "heading", "money", "number", "percent", "when"]


def number(value: Any, places: int = 0) -> str:
    """``12345.6`` -> ``12,346`` (``places`` decimals); ``None`` -> an en dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    return f"{value:,.{places}f}"


def money(value: Any, currency: str | None = None) -> str:
    """``Decimal('1234.5'), 'EUR'`` -> ``1,234.50 EUR``."""
    shown = number(value, 2)
    return f"{shown} {currency}" if currency and shown != "–" else shown


def percent(value: Any, places: int = 1, half_up: bool = False) -> str:
    """``0.256`` -> ``25.6%``. A ``Decimal`` is shown exactly: 100 × the figure, rounded
    half to even as the statements round a ratio (``0.5455`` -> ``54.6%``), or half up with
    ``half_up`` as they round a usage component (``0.8125`` -> ``81.3%``). A float (a rate
    the pages compute) is formatted as a float."""
    if value is None:
        return "–"
    if not isinstance(value, Decimal):
        return f"{float(value) * 100:.{places}f}%"
    rounding = ROUND_HALF_UP if half_up else ROUND_HALF_EVEN
    shown = (100 * value).quantize(Decimal(1).scaleb(-places), rounding=rounding)
    return f"{shown:f}%"


def when(value: Any, with_time: bool = False) -> str:
    """A date as ``31 Oct 2026`` (with ``14:05 UTC`` for a moment when asked)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        day = f"{value.day} {value:%b %Y}"
        return f"{day} {value:%H:%M} UTC" if with_time else day
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def heading(key: str) -> str:
    """``won_per_lead`` -> ``Won per lead``."""
    words = str(key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


FILTERS = {
    "number": number,
    "money": money,
    "percent": percent,
    "when": when,
    "heading": heading,
}
