"""Zoho wire values -> typed stored values, for the write APIs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.schema import Field
from sandbox.zoho.params import parse_datetime

__all__ = ["DATA_TYPES", "Invalid", "to_stored"]

# stored field type -> Zoho's data_type in metadata and in INVALID_DATA details
DATA_TYPES = {
    "id": "bigint",
    "string": "text",
    "textarea": "textarea",
    "email": "email",
    "phone": "phone",
    "url": "website",
    "picklist": "picklist",
    "boolean": "boolean",
    "int": "integer",
    "double": "double",
    "currency": "currency",
    "percent": "double",
    "date": "date",
    "datetime": "datetime",
    "reference": "lookup",
}


class Invalid(Exception):
    """A value that does not fit its field; the caller reports INVALID_DATA."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid
    try:
        return float(value)
    except ValueError:
        raise Invalid from None


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise Invalid


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid
    return value


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise Invalid from None


def _datetime(value: Any) -> Any:
    parsed = parse_datetime(_text(value))
    if parsed is None:
        raise Invalid
    return parsed


def _reference(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isdigit():
        raise Invalid
    return value


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "boolean": _bool,
    "int": _int,
    "double": _number,
    "percent": _number,
    "currency": lambda v: round(_number(v), 2),
    "date": _date,
    "datetime": _datetime,
    "reference": _reference,
}


def to_stored(f: Field, value: Any) -> Any:
    """The typed value for ``f``; raises ``Invalid`` when the wire value does not fit."""
    if value is None:
        return None
    convert = _CONVERT.get(f.type)
    if convert is not None:
        return convert(value)
    text = _text(value)
    if len(text) > f.length and f.type != "textarea":
        raise Invalid
    return text
