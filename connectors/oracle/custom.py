"""Discovery (``GET <version>/describe``) and the custom objects an admin maps.

Fusion describes every top-level resource in one call: its attributes with their types,
the standard resources and the custom objects made in Application Composer alike. A
custom object is a resource of its own, its name ending in ``_c`` (``StoreVisit_c``), its
id ``Id`` and its own attributes ending in ``_c``; a link to another record (a dynamic
choice list) is an ``…_Id_c`` attribute holding the record's id. A mapped custom object
is read like a standard resource (``reader.py``: keyset order on ``LastUpdateDate``),
and, as Fusion lists no deletes, its ids are compared with the store
(``full_id_check_every``). Remote ids carry the resource (``StoreVisit_c/300…``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom_records import RowMeta, parse_time
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.oracle.http import OracleHttp
from connectors.oracle.reader import ResourceReader

__all__ = ["CustomStreams", "discover"]

_CURSOR = "LastUpdateDate"


def _object(name: str, body: Mapping[str, Any]) -> ObjectInfo:
    fields = tuple(
        FieldInfo(
            str(a["name"]),
            str(a.get("type") or "string"),
            str((a.get("annotations") or {}).get("description") or a.get("title") or ""),
            str(a["name"]).endswith("_c"),
        )
        for a in body.get("attributes") or []
        if a.get("name")
    )
    names = {f.name for f in fields}
    return ObjectInfo(
        name,
        str(body.get("titlePlural") or body.get("title") or name),
        name.endswith("_c"),
        fields,
        _CURSOR if _CURSOR in names else None,
        detects_deletes=False,  # Fusion keeps no deleted-records list: ids are compared
    )


def discover(http: OracleHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Every top-level resource with its attributes, from one describe call (``only`` is
    no cheaper: the whole catalogue comes in that one call)."""
    body = http.call("GET", "describe") or {}
    return [_object(name, res or {}) for name, res in (body.get("Resources") or {}).items()]


class CustomStreams(MappedStreams):
    """The admin's mapped custom objects, each served as one stream."""

    crm = "Oracle"

    def __init__(self, source: str, reader: ResourceReader) -> None:
        super().__init__(source)
        self.reader = reader

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        resource = self._mapping(stream).object
        saved = dict((state or {}).get("resource") or {})
        for part in self.reader.read(
            resource, saved, options.full, options.lookback, options.signpost
        ):
            records, bad = self._map(stream, resource, part.rows)
            yield Page(stream, records, {"resource": part.state}, bad)

    def _map(
        self, stream: str, resource: str, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        def read(row: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            flat = {k: v for k, v in row.items() if k != "links"}
            created, updated = flat.get("CreationDate"), flat.get(_CURSOR)
            return flat, RowMeta(rid, parse_time(created), parse_time(updated))

        return self._mappers[stream].map_rows(
            resource, rows, lambda row: f"{resource}/{row.get('Id')}", read
        )

    def list_ids(self, stream: str) -> Iterator[str]:
        resource = self._mapping(stream).object
        for ids in self.reader.ids(resource):
            yield from (f"{resource}/{rid}" for rid in ids)
