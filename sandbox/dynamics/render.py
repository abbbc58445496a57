"""Rows as the Web API renders them: OData JSON with annotations.

A row carries ``@odata.etag`` (``W/"<versionnumber>"``), its columns by logical name
(lookups as ``_<name>_value``), datetimes as ``2026-10-31T09:00:00Z`` and date-only columns
as ``2026-10-31``. With ``Prefer: odata.include-annotations="..."`` (``*`` or a list) the
formatted values of choices and lookups are added
(``leadsourcecode@OData.Community.Display.V1.FormattedValue``), and a lookup's table
(``@Microsoft.Dynamics.CRM.lookuplogicalname``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.dynamics.schema import OPTION_SETS, TABLES
from sandbox.schema import ObjectSchema
from sandbox.store import Record, Table

__all__ = ["FORMATTED", "LOOKUP_TABLE", "Preferences", "Renderer", "etag", "wire_value"]

FORMATTED = "OData.Community.Display.V1.FormattedValue"
LOOKUP_TABLE = "Microsoft.Dynamics.CRM.lookuplogicalname"
NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
_PREFER_PART = re.compile(r'\s*([\w.-]+)(?:\s*=\s*("[^"]*"|[^,]*))?\s*(?:,|$)')


class Preferences:
    """The ``Prefer`` header's parts: ``odata.maxpagesize``, ``odata.track-changes``,
    ``odata.include-annotations``, ``odata.continue-on-error``, ``return=representation``."""

    def __init__(self, header: str | None) -> None:
        self.values: dict[str, str] = {}
        for match in _PREFER_PART.finditer(header or ""):
            if match.group(1):
                self.values[match.group(1).lower()] = (match.group(2) or "").strip().strip('"')
        self.annotations = {
            a.strip() for a in self.values.get("odata.include-annotations", "").split(",") if a
        }

    def has(self, name: str) -> bool:
        return name in self.values

    def wants(self, annotation: str) -> bool:
        return "*" in self.annotations or annotation in self.annotations

    @property
    def max_page_size(self) -> int | None:
        raw = self.values.get("odata.maxpagesize", "")
        return int(raw) if raw.isdigit() and int(raw) > 0 else None


def etag(row: Record) -> str:
    return f'W/"{row["versionnumber"]}"'


def wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class Renderer:
    """Renders the rows of the world's Dynamics tables."""

    def __init__(self, tables: dict[str, Table]) -> None:
        self.tables = tables

    def name_of(self, table: str | None, rid: Any) -> str | None:
        if table is None or rid is None or table not in self.tables:
            return None
        row = self.tables[table].rows.get(rid)
        if row is None:
            return None
        return row.get(TABLES[table].primary_name)

    def row(
        self,
        schema: ObjectSchema,
        row: Record,
        columns: Iterable[str] | None,
        prefs: Preferences,
    ) -> dict[str, Any]:
        table = schema.name
        id_field = schema.id_field
        out: dict[str, Any] = {"@odata.etag": etag(row)}
        formatted = prefs.wants(FORMATTED)
        lookups = prefs.wants(LOOKUP_TABLE)
        names = schema.field_names if columns is None else columns
        for name in names:
            field = schema.field(name)
            if field is None:
                continue
            value = row.get(name)
            if field.type == "reference":
                key = f"_{name}_value"
                out[key] = value
                if value is not None:
                    target = row.get(f"{name}$table") or (field.ref[0] if field.ref else None)
                    if formatted:
                        out[f"{key}@{FORMATTED}"] = self.name_of(target, value)
                    if lookups:
                        out[f"{key}@{LOOKUP_TABLE}"] = target
                        out[f"{key}@{NAVIGATION}"] = f"{name}_{target}"
                continue
            out[name] = wire_value(value)
            if formatted and value is not None:
                options = OPTION_SETS.get((table, name))
                if options is not None:
                    out[f"{name}@{FORMATTED}"] = dict(options).get(value, str(value))
                elif field.type in ("currency",):
                    out[f"{name}@{FORMATTED}"] = f"€{value:,.2f}"
        out[id_field] = row[id_field]  # the primary key comes back whatever $select says
        return out
