"""Stored records to Salesforce's wire formats (REST JSON and Bulk 2.0 CSV).

Stored values are typed (``datetime``, ``date``, ``float``...). REST JSON writes
datetimes as ``2024-05-28T21:10:08.000+0000``; Bulk CSV as ``2024-05-28T21:10:08.000Z``.
A ``Projection`` is the SELECT list as a tree (relationship fields nest), built once per
query so rendering a row is a tight loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sandbox.salesforce.soql_eval import Resolved, Resolver, Step
from sandbox.schema import Field, ObjectSchema
from sandbox.store import Record

__all__ = [
    "Projection",
    "csv_value",
    "format_date",
    "format_datetime",
    "record_url",
    "render_full",
    "wire_value",
]


def format_datetime(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}+0000"


def format_date(value: date) -> str:
    return value.isoformat()


def wire_value(value: Any) -> Any:
    """A stored value as REST JSON."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_value(value: Any) -> str:
    """A stored value as a Bulk 2.0 CSV cell (empty for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_url(version: str, object_name: str, rid: str) -> str:
    return f"/services/data/{version}/sobjects/{object_name}/{rid}"


class _Node:
    """Fields selected on one object, plus nested relationship nodes."""

    def __init__(self) -> None:
        self.entries: dict[str, Field | tuple[Step, _Node]] = {}


class Projection:
    """The SELECT list of a query, ready to render rows as JSON dicts or CSV rows."""

    def __init__(self, object_name: str, select: list[Resolved], resolver: Resolver) -> None:
        self.object_name = object_name
        self.select = select
        self.resolver = resolver
        self.root = _Node()
        for item in select:
            node = self.root
            for step in item.steps:
                entry = node.entries.get(step.relationship)
                if not isinstance(entry, tuple):
                    entry = (step, _Node())
                    node.entries[step.relationship] = entry
                node = entry[1]
            node.entries.setdefault(item.field.name, item.field)
        self.getters = [resolver.getter(item, object_name) for item in select]
        self.columns = [item.dotted for item in select]

    def to_json(self, records: Iterable[Record], version: str) -> list[dict[str, Any]]:
        return [self._render(self.root, self.object_name, r, version) for r in records]

    def _render(self, node: _Node, obj: str, record: Record, version: str) -> dict[str, Any]:
        rid = record["Id"]
        out: dict[str, Any] = {
            "attributes": {"type": obj, "url": f"/services/data/{version}/sobjects/{obj}/{rid}"}
        }
        tables = self.resolver.tables
        for key, entry in node.entries.items():
            if isinstance(entry, tuple):
                hop = self.resolver.parent(record, entry[0])
                out[key] = None if hop is None else self._render(entry[1], *hop, version)
            elif key == "IsDeleted":
                out[key] = rid in tables[obj].deleted_at
            else:
                value = record.get(key)
                if entry.type in ("datetime", "date") and value is not None:
                    value = wire_value(value)
                out[key] = value
        return out

    def to_csv_rows(self, records: Iterable[Record]) -> list[list[str]]:
        getters = self.getters
        return [[csv_value(g(r)) for g in getters] for r in records]


def render_full(
    schema: ObjectSchema, record: Record, version: str, deleted: bool
) -> dict[str, Any]:
    """Every field of one record, as ``GET /sobjects/{O}/{Id}`` returns it."""
    rid = record["Id"]
    url = record_url(version, schema.name, rid)
    out: dict[str, Any] = {"attributes": {"type": schema.name, "url": url}}
    for f in schema.fields:
        if f.name == "IsDeleted":
            out["IsDeleted"] = deleted
        else:
            out[f.name] = wire_value(record.get(f.name))
    return out


def write_csv(header: list[str], rows: list[list[str]], delimiter: str, line_end: str) -> bytes:
    """Bulk 2.0 result CSV: every cell quoted, as Salesforce writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()
