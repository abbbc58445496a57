"""Salesforce wire values (REST JSON strings and numbers) to Python values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["date_value", "day_start", "decimal_value", "domain", "int_value", "parse_datetime"]


def parse_datetime(value: Any) -> datetime | None:
    """``2024-05-28T21:10:08.000+0000`` (REST) or ``...Z`` (Bulk CSV) as aware UTC."""
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed if parsed.utcoffset() == UTC.utcoffset(None) else parsed.astimezone(UTC)


def date_value(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(value[:10])


def day_start(value: Any) -> datetime | None:
    day = date_value(value)
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def decimal_value(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def int_value(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def domain(website: str | None) -> str | None:
    if not website:
        return None
    host = website.split("://", 1)[-1].split("/", 1)[0].lower()
    return host.removeprefix("www.") or None
