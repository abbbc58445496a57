"""Values as REST CRMs send them in JSON -> Python values, CRM-neutral.

Times come as ISO 8601 with an offset, dates as ``YYYY-MM-DD`` (or a time whose first ten
characters are the date), decimals as strings or numbers. A missing or empty value is
``None``; so is a decimal that does not parse (the mapper decides whether that matters).
Money is kept to the cent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["CENT", "decimal_or_none", "domain_of", "iso_date", "iso_time", "money"]

CENT = Decimal("0.01")


def iso_time(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def iso_date(raw: Any) -> date | None:
    return date.fromisoformat(raw[:10]) if isinstance(raw, str) and raw else None


def decimal_or_none(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def money(raw: Any) -> Decimal | None:
    value = decimal_or_none(raw)
    return None if value is None else value.quantize(CENT)


def domain_of(website: Any) -> str | None:
    """A website's host without ``www.`` (``https://www.acme.example/de`` -> ``acme.example``)."""
    if not isinstance(website, str) or not website:
        return None
    return website.split("://")[-1].removeprefix("www.").split("/")[0]
