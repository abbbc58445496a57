"""Discovery (standard object types and ``/crm/v3/schemas``) and admin-mapped custom objects.

A custom object is read by ``ObjectReader`` like any object type, by its fully qualified
name or type id (``p1234_store_visits`` / ``2-7730401``): a full list first, then search
windows on ``hs_lastmodifieddate``, then the archived list for deletes. Associations are
its links: a mapping names them ``associations.contacts``, ``associations.companies`` and
``associations.deals`` (the first associated record). Remote ids carry the object as
written in the mapping (``p1234_store_visits/123``): ids are numbered per object type.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom_records import RowMeta, parse_time
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.hubspot.apis import Apis
from connectors.hubspot.catalog import Catalog
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.reader import ObjectReader, modified_property, to_ms

__all__ = ["CustomStreams", "discover"]

STANDARD_TYPES = (
    "contacts",
    "companies",
    "deals",
    "tickets",
    "calls",
    "emails",
    "meetings",
    "notes",
    "tasks",
    "products",
    "line_items",
)
# links a custom object's records carry (``ObjectReader`` reads these for any custom type)
_LINKED = ("contacts", "companies", "deals")


def _fields(properties: list[dict[str, Any]]) -> list[FieldInfo]:
    return [
        FieldInfo(
            str(p["name"]),
            str(p.get("type") or "string"),
            str(p.get("label") or ""),
            not p.get("hubspotDefined", False),
        )
        for p in properties
    ]


def _links() -> list[FieldInfo]:
    return [FieldInfo(f"associations.{t}", "association", f"Associated {t}") for t in _LINKED]


def discover(
    http: HubSpotHttp, apis: Apis, only: Collection[str] | None = None
) -> list[ObjectInfo]:
    """The standard object types (their properties) and every custom object schema; with
    ``only``, the standard types not named by their names alone."""
    found = []
    for object_type in STANDARD_TYPES:
        fields: list[FieldInfo] = []
        if only is None or object_type in only:
            body = http.call(apis.properties.get_all, object_type).body or {}
            fields = _fields(body.get("results") or [])
        found.append(
            ObjectInfo(
                object_type,
                object_type.replace("_", " ").title(),
                False,
                tuple(fields),
                modified_property(object_type),
            )
        )
    body = http.call(apis.schemas.get_all).body or {}
    for schema in body.get("results") or []:
        fields = _fields(schema.get("properties") or []) + _links()
        found.append(
            ObjectInfo(
                str(schema["fullyQualifiedName"]),
                str((schema.get("labels") or {}).get("plural") or schema.get("name")),
                True,
                tuple(fields),
                "hs_lastmodifieddate",
                aliases=(str(schema.get("objectTypeId")), str(schema.get("name"))),
            )
        )
    return found


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record's properties, with its first associated record of each type."""
    row = dict(record.get("properties") or {})
    for to_type, ids in (record.get("links") or {}).items():
        if ids:
            row[f"associations.{to_type}"] = ids[0]
    return row


class CustomStreams(MappedStreams):
    """The admin's mapped custom objects, each served as one stream."""

    crm = "HubSpot"

    def __init__(
        self, source: str, http: HubSpotHttp, catalog: Catalog, reader: ObjectReader
    ) -> None:
        super().__init__(source)
        self.http = http
        self.catalog = catalog
        self.reader = reader

    def read(
        self,
        stream: str,
        state: Mapping[str, Any] | None,
        options: ReadOptions,
        signpost: datetime,
    ) -> Iterator[Page]:
        obj = self._mapping(stream).object
        full = options.full or not state
        saved = None if full else dict((state or {}).get("object") or {})
        if not full:  # property names saved by an earlier run, while fresh
            self.catalog.restore((state or {}).get("catalog"))
        lookback_ms = int(options.lookback.total_seconds() * 1000)
        calls = self.http.calls
        properties = self.catalog.properties(obj)
        catalog = self.catalog.snapshot((obj,), False)
        for batch in self.reader.read(obj, saved, properties, lookback_ms, to_ms(signpost)):
            records, bad = self._map(stream, obj, batch.results, batch.archived)
            page = Page(stream, records, {"object": batch.state, "catalog": catalog}, bad)
            page.api_calls, calls = self.http.calls - calls, self.http.calls
            yield page

    def _map(
        self, stream: str, obj: str, results: list[dict[str, Any]], archived: bool
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        def read(raw: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            row = flatten(raw)
            meta = RowMeta(
                rid,
                parse_time(row.get("hs_createdate") or raw.get("createdAt")),
                parse_time(row.get("hs_lastmodifieddate") or raw.get("updatedAt")),
                archived or bool(raw.get("archived")),
            )
            return row, meta

        return self._mappers[stream].map_rows(
            obj, results, lambda raw: f"{obj}/{raw.get('id')}", read
        )

    def list_ids(self, stream: str) -> Iterator[str]:
        obj = self._mapping(stream).object
        run: dict[str, Any] = {}
        while True:
            results, after = self.reader._list_page(obj, ["hs_object_id"], (), False, run)
            for record in results:
                yield f"{obj}/{record['id']}"
            if after is None:
                return
            run["after"] = after
