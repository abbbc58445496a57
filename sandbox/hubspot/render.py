"""Rendering stored records to HubSpot's wire format.

Every property value goes out as a string (or null): ints without a decimal point,
booleans ``"true"``/``"false"``, datetimes ``2024-01-02T03:04:05.678Z``, dates
``YYYY-MM-DD``. Property selection is resolved once per request into a tuple of
``(name, converter)`` so rendering a page is a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.hubspot.objects import DEFAULT_PROPERTIES, created_field, modified_field
from sandbox.schema import ObjectSchema
from sandbox.store import Record, Table

__all__ = ["Selection", "iso", "render_record", "render_value", "select_properties"]

Converter = Callable[[Any], str]
Selection = tuple[tuple[str, Converter], ...]


def iso(value: datetime) -> str:
    """``2024-01-02T03:04:05.678Z`` (values are stored UTC-aware)."""
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    # isoformat is C code: far cheaper than formatting the fields by hand.
    text = value.isoformat(timespec="milliseconds")
    return (text[:-6] if value.tzinfo is not None else text) + "Z"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _temporal(value: Any) -> str:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_CONVERTERS: dict[str, Converter] = {
    "boolean": _boolean,
    "int": _number,
    "double": _number,
    "currency": _number,
    "percent": _number,
    "date": _temporal,
    "datetime": _temporal,
}


def render_value(field_type: str, value: Any) -> str | None:
    if value is None:
        return None
    return _CONVERTERS.get(field_type, str)(value)


def select_properties(schema: ObjectSchema, requested: Iterable[str] | None) -> Selection:
    """Known requested properties plus the ones HubSpot always adds, sorted by name.

    Unknown names are ignored, like HubSpot does.
    """
    names = {"hs_object_id", created_field(schema), modified_field(schema)}
    wanted = list(requested or ())
    if not wanted:
        wanted = list(DEFAULT_PROPERTIES.get(schema.name, ()))
    for name in wanted:
        if schema.field(name) is not None:
            names.add(name)
    fields = (schema.field(n) for n in sorted(names))
    return tuple((f.name, _CONVERTERS.get(f.type, str)) for f in fields if f is not None)


def render_record(table: Table, record: Record, selection: Selection) -> dict[str, Any]:
    """The ``SimplePublicObject`` shape of one stored record."""
    schema = table.schema
    rid = record["id"]
    props: dict[str, str | None] = {}
    for name, convert in selection:
        value = rid if name == "hs_object_id" else record.get(name)
        props[name] = None if value is None else convert(value)
    created_name, modified_name = schema.created_fields[0], schema.modified_fields[0]
    created = props.get(created_name) if created_name in props else None
    if created is None and record.get(created_name) is not None:
        created = iso(record[created_name])
    updated = props.get(modified_name) if modified_name in props else None
    if updated is None and record.get(modified_name) is not None:
        updated = iso(record[modified_name])
    out: dict[str, Any] = {
        "id": rid,
        "properties": props,
        "createdAt": created,
        "updatedAt": updated or created,
    }
    archived_at = table.deleted_at.get(rid)
    out["archived"] = archived_at is not None
    if archived_at is not None:
        out["archivedAt"] = iso(archived_at)
    return out
