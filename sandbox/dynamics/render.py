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
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from werkzeug.wrappers import Response

from sandbox.dynamics.schema import OPTION_SETS, TABLES
from sandbox.schema import ObjectSchema
from sandbox.store import Record, Table

__all__ = [
    "FORMATTED",
    "LOOKUP_TABLE",
    "Preferences",
    "Renderer",
    "etag",
    "rows_response",
    "wire_value",
]

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


_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC


def rows_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer holding rendered rows: datetimes as ``2026-10-31T09:00:00Z`` and
    dates as ``2026-10-31``, written by orjson itself (far faster than formatting each)."""
    response = Response(orjson.dumps(data, option=_JSON_OPTIONS), status=status, headers=headers)
    response.content_type = "application/json;charset=UTF-8"
    return response


def wire_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # isoformat is C-fast where strftime is not (a page renders ~15,000 datetimes)
        if value.utcoffset():
            value = value.astimezone(UTC)
        return value.isoformat(timespec="seconds")[:19] + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# How one column renders: its wire key, whether it is a lookup, its default lookup table
# and its choice labels (or "money" for a currency column's formatted value).
_Column = tuple[str, str, bool, str | None, dict[Any, str] | str | None]


class Renderer:
    """Renders the rows of the world's Dynamics tables."""

    def __init__(self, tables: dict[str, Table]) -> None:
        self.tables = tables
        self._plans: dict[tuple[str, int, tuple[str, ...] | None], list[_Column]] = {}

    def name_of(self, table: str | None, rid: Any) -> str | None:
        if table is None or rid is None or table not in self.tables:
            return None
        row = self.tables[table].rows.get(rid)
        if row is None:
            return None
        return row.get(TABLES[table].primary_name)

    def _plan(self, schema: ObjectSchema, columns: Iterable[str] | None) -> list[_Column]:
        """The columns a query renders, looked up once per (table, columns) and not per
        row (a custom column added since makes a new plan: the field count is in the key)."""
        wanted = None if columns is None else tuple(columns)
        key = (schema.name, len(schema.fields), wanted)
        plan = self._plans.get(key)
        if plan is None:
            plan = []
            for name in schema.field_names if wanted is None else wanted:
                field = schema.field(name)
                if field is None:
                    continue
                if field.type == "reference":
                    target = field.ref[0] if field.ref else None
                    plan.append((name, f"_{name}_value", True, target, None))
                    continue
                options = OPTION_SETS.get((schema.name, name))
                extra: dict[Any, str] | str | None = dict(options) if options else None
                if extra is None and field.type == "currency":
                    extra = "money"
                plan.append((name, name, False, None, extra))
            self._plans[key] = plan
        return plan

    def row(
        self,
        schema: ObjectSchema,
        row: Record,
        columns: Iterable[str] | None,
        prefs: Preferences,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.etag": etag(row)}
        formatted = prefs.wants(FORMATTED)
        lookups = prefs.wants(LOOKUP_TABLE)
        for name, key, lookup, default, extra in self._plan(schema, columns):
            value = row.get(name)
            if lookup:
                out[key] = value
                if value is not None:
                    target = row.get(f"{name}$table") or default
                    if formatted:
                        out[f"{key}@{FORMATTED}"] = self.name_of(target, value)
                    if lookups:
                        out[f"{key}@{LOOKUP_TABLE}"] = target
                        out[f"{key}@{NAVIGATION}"] = f"{name}_{target}"
                continue
            # datetimes and dates go to rows_response as they are: orjson writes them
            out[key] = float(value) if isinstance(value, Decimal) else value
            if formatted and value is not None and extra is not None:
                if extra == "money":
                    out[f"{key}@{FORMATTED}"] = f"€{value:,.2f}"
                else:
                    assert isinstance(extra, dict)
                    out[f"{key}@{FORMATTED}"] = extra.get(value, str(value))
        out[schema.id_field] = row[schema.id_field]  # the key comes whatever $select says
        return out
