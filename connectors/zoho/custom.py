"""Discovery (``/settings/modules`` and ``/settings/fields``) and admin-mapped custom modules.

A mapped module is read by ``ModuleReader`` like a standard one: ``Modified_Time`` windows
with page tokens, then ``/{module}/deleted`` for deletes. Its field list is the mapping's
fields first, then the module's other fields up to Zoho's 50 per call. Lookups (``{"id",
"name"}``) are flattened to their id. Remote ids carry the module (``Store_Visits/…``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import RowMeta
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.zoho.convert import parse_time
from connectors.zoho.fields import MAX_FIELDS
from connectors.zoho.http import ZohoHttp
from connectors.zoho.reader import ModuleReader, ModuleWindow

__all__ = ["CustomStreams", "discover"]

_SYSTEM = ("Owner", "Created_Time", "Modified_Time")


def _fields(http: ZohoHttp, module: str) -> list[FieldInfo]:
    body = http.api("GET", "/settings/fields", params={"module": module}).body or {}
    return [
        FieldInfo(
            str(f["api_name"]),
            str(f.get("data_type") or "text"),
            str(f.get("field_label") or ""),
            bool(f.get("custom_field")),
            (str(((f.get("lookup") or {}).get("module") or {}).get("api_name")),)
            if (f.get("lookup") or {}).get("module")
            else (),
        )
        for f in body.get("fields") or []
    ]


def discover(http: ZohoHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Every module the API serves, with its fields (one call per module); with ``only``,
    the others by name alone."""
    body = http.api("GET", "/settings/modules").body or {}
    found = []
    for module in body.get("modules") or []:
        if not module.get("api_supported"):
            continue
        name = str(module["api_name"])
        fields = _fields(http, name) if only is None or name in only else []
        names = {f.name for f in fields}
        found.append(
            ObjectInfo(
                name,
                str(module.get("plural_label") or name),
                module.get("generated_type") == "custom",
                tuple(fields),
                "Modified_Time" if "Modified_Time" in names else None,
            )
        )
    return found


def flatten(row: Mapping[str, Any]) -> dict[str, Any]:
    """Lookups and owners as the id they point at."""
    return {
        key: value.get("id") if isinstance(value, dict) and "id" in value else value
        for key, value in row.items()
    }


class CustomStreams(MappedStreams):
    """The admin's mapped custom modules, each served as one stream."""

    crm = "Zoho"

    def __init__(
        self, source: str, http: ZohoHttp, reader: ModuleReader, fields_ttl_s: float
    ) -> None:
        super().__init__(source)
        self.fields_ttl_s = fields_ttl_s
        self.http = http
        self.reader = reader

    def _fresh(self, saved: Mapping[str, Any], signpost: datetime) -> bool:
        """The field list saved by an earlier run is younger than ``fields_ttl_s``."""
        at = parse_time(saved.get("fields_at"))
        ttl = timedelta(seconds=self.fields_ttl_s)
        return bool(saved.get("fields")) and at is not None and signpost - at < ttl

    def _field_list(self, mapping: CustomObjectMapping) -> tuple[str, ...]:
        """The mapping's fields, then the module's others (from the API), up to Zoho's 50."""
        wanted = [*_SYSTEM, *(name for _, name in mapping.remote_fields())]
        names = list(dict.fromkeys(wanted))
        for field in _fields(self.http, mapping.object):
            if len(names) >= MAX_FIELDS:
                break
            if field.name not in names and field.name != "id":
                names.append(field.name)
        return tuple(names)

    def read(
        self,
        stream: str,
        state: Mapping[str, Any] | None,
        options: ReadOptions,
        signpost: datetime,
    ) -> Iterator[Page]:
        mapping = self._mapping(stream)
        module = mapping.object
        saved = dict((state or {}).get("module") or {})
        cursor = None if options.full else parse_time(saved.get("cursor"))
        deleted_cursor = parse_time(saved.get("deleted_cursor"))
        mapped = {name for _, name in mapping.remote_fields()}
        # a full read, an old list, or a mapping changed since: ask the API again
        if options.full or not self._fresh(saved, signpost) or not mapped <= set(saved["fields"]):
            saved["fields"] = list(self._field_list(mapping))
            saved["fields_at"] = signpost.isoformat()
        fields = tuple(saved["fields"])
        window = ModuleWindow(
            module,
            fields,
            cursor,
            deleted_cursor,
            options.lookback or timedelta(0),
            signpost,
            read_deletes=cursor is not None or deleted_cursor is not None,
        )
        for part in self.reader.read(window):
            records, bad = self._map(stream, module, part.rows)
            module_state = {
                "cursor": part.cursor.isoformat() if part.cursor else None,
                "deleted_cursor": part.deleted_cursor.isoformat() if part.deleted_cursor else None,
                "fields": saved["fields"],
                "fields_at": saved["fields_at"],
            }
            deleted = [f"{module}/{rid}" for rid in part.deleted_ids]
            yield Page(stream, records, {"module": module_state}, bad, deleted)

    def _map(
        self, stream: str, module: str, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        def read(raw: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            row = flatten(raw)
            created, updated = row.get("Created_Time"), row.get("Modified_Time")
            return row, RowMeta(rid, parse_time(created), parse_time(updated))

        return self._mappers[stream].map_rows(
            module, rows, lambda raw: f"{module}/{raw.get('id')}", read
        )

    def list_ids(self, stream: str) -> Iterator[str]:
        module = self._mapping(stream).object
        for rid in self.reader.list_ids(module, "Modified_Time", {}):
            yield f"{module}/{rid}"
