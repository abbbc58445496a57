"""Validating and converting property values sent by clients into stored, typed values.

HubSpot rejects a whole write when any property is unknown, read-only or malformed, with
a ``VALIDATION_ERROR`` whose message embeds the per-property results as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.http import EmulatorError
from sandbox.hubspot.errors import validation_error
from sandbox.schema import Field, ObjectSchema

__all__ = ["coerce_properties"]

_EXTERNAL_OPTIONS = {"dealstage", "pipeline", "hs_pipeline", "hs_pipeline_stage"}


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _parse_ms(text: str) -> datetime:
    return datetime.fromtimestamp(int(float(text)) / 1000, tz=UTC)


def _boolean(field: Field, value: Any, text: str) -> Any:
    if isinstance(value, bool):
        return value
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise _Invalid("INVALID_BOOLEAN", f'"{text}" is not a valid boolean')


def _int(field: Field, value: Any, text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        raise _Invalid("INVALID_INTEGER", f'"{text}" is not a valid integer') from None
    if not number.is_integer():
        raise _Invalid("INVALID_INTEGER", f'"{text}" is not a valid integer')
    return int(number)


def _number(field: Field, value: Any, text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        raise _Invalid("INVALID_DOUBLE", f'"{text}" is not a valid number') from None
    return round(number, 2) if field.type == "currency" else number


def _datetime(field: Field, value: Any, text: str) -> Any:
    try:
        if text.lstrip("-").isdigit():
            return _parse_ms(text)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid("INVALID_DATETIME", f'"{text}" is not a valid datetime') from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(field: Field, value: Any, text: str) -> Any:
    try:
        if text.isdigit():
            return _parse_ms(text).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _Invalid("INVALID_DATE", f'"{text}" is not a valid date') from None


def _text(field: Field, value: Any, text: str) -> Any:
    checked = field.type == "picklist" and field.picklist and field.name not in _EXTERNAL_OPTIONS
    if checked and text not in field.picklist:
        raise _Invalid(
            "INVALID_OPTION",
            f"{text} was not one of the allowed options: [{', '.join(field.picklist)}]",
        )
    return text


_CONVERTERS: dict[str, Callable[[Field, Any, str], Any]] = {
    "boolean": _boolean,
    "int": _int,
    "double": _number,
    "currency": _number,
    "percent": _number,
    "datetime": _datetime,
    "date": _date,
}


def _convert(field: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    text = str(value).strip()
    return _CONVERTERS.get(field.type, _text)(field, value, text)


def _failure(name: str, code: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": code,
        "name": name,
        "localizedErrorMessage": message,
    }


def coerce_properties(schema: ObjectSchema, properties: Any, creating: bool) -> dict[str, Any]:
    """Typed values for ``properties``, or raise HubSpot's 400 VALIDATION_ERROR."""
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        raise validation_error("Invalid input JSON: properties must be an object")
    typed: dict[str, Any] = {}
    failures: list[dict[str, Any]] = []
    for name, value in properties.items():
        field = schema.field(name)
        if field is None:
            message = f'Property "{name}" does not exist'
            failures.append(_failure(name, "PROPERTY_DOESNT_EXIST", message))
            continue
        settable_on_create = creating and name in schema.created_fields
        if not field.updateable and not settable_on_create:
            message = f'Property "{name}" is read-only'
            failures.append(_failure(name, "READ_ONLY_VALUE", message))
            continue
        try:
            typed[name] = _convert(field, value)
        except _Invalid as exc:
            failures.append(_failure(name, exc.code, exc.message))
    if failures:
        raise _validation(failures)
    return typed


def _validation(failures: list[dict[str, Any]]) -> EmulatorError:
    embedded = json.dumps(failures, separators=(",", ":"))
    return validation_error(f"Property values were not valid: {embedded}")
