"""Discovery (``describeGlobal`` and a describe per object) and admin-mapped custom objects.

A mapped object is read exactly like a standard one (``StreamReader``'s windows on
``SystemModstamp``, ``queryAll`` for soft deletes, the ``deleted`` log for purged rows),
with the admin's mapping in place of a standard mapping. Its remote ids carry the object
name (``Store_Visit__c/a0V…``): it shares the common table of its kind with a standard
stream, and the engine's delete checks keep each stream to its own ids.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import CustomRecordMapper, RowMeta
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.salesforce.batch import CompositeBatch
from connectors.salesforce.describe import FieldCatalog
from connectors.salesforce.http import SalesforceHttp
from connectors.salesforce.mapping import parse_datetime
from connectors.salesforce.reader import StreamReader
from connectors.salesforce.windows import Window

__all__ = ["CustomStreams", "discover"]

_CURSORS = ("SystemModstamp", "LastModifiedDate")


def discover(http: SalesforceHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Every queryable sObject with its fields (one describe batch per 25 objects); with
    ``only``, the others by name alone."""
    timeout = http.settings.timeout_s
    body = http.call("describe global", lambda sf: sf.describe(timeout=timeout)) or {}
    queryable = [o["name"] for o in body.get("sobjects", []) if o.get("queryable")]
    names = [n for n in queryable if only is None or n in only]
    summaries = {o["name"]: o for o in body.get("sobjects", [])}
    answers = CompositeBatch(http).get("describe", [f"sobjects/{n}/describe" for n in names])
    found = [
        ObjectInfo(n, str(summaries[n].get("label") or n), bool(summaries[n].get("custom")), ())
        for n in queryable
        if n not in names
    ]
    for name, answer in zip(names, answers, strict=True):
        if not answer.ok:
            continue  # listed but not describable with these credentials
        fields = tuple(
            FieldInfo(
                str(f["name"]),
                str(f.get("type", "string")),
                str(f.get("label") or ""),
                bool(f.get("custom")),
                tuple(f.get("referenceTo") or ()),
            )
            for f in answer.body.get("fields", [])
        )
        names_here = {f.name for f in fields}
        summary = summaries[name]
        found.append(
            ObjectInfo(
                name,
                str(summary.get("label") or name),
                bool(summary.get("custom")),
                fields,
                next((c for c in _CURSORS if c in names_here), None),
                detects_deletes="IsDeleted" in names_here,
            )
        )
    return found


class _Rows:
    """``map_rows`` for ``StreamReader``, with each object's admin mapping."""

    def __init__(self, mappers: dict[str, CustomRecordMapper]) -> None:
        self.mappers = mappers

    def map_rows(
        self, object_name: str, rows: Sequence[dict[str, Any]], custom: Sequence[str]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        for row in rows:
            row.pop("attributes", None)

        def read(row: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            created, updated = row.get("CreatedDate"), row.get("SystemModstamp")
            deleted = bool(row.get("IsDeleted"))
            return row, RowMeta(rid, parse_datetime(created), parse_datetime(updated), deleted)

        return self.mappers[object_name].map_rows(
            object_name, rows, lambda row: f"{object_name}/{row.get('Id')}", read
        )


class CustomStreams(MappedStreams):
    """The admin's mapped objects, each served as one stream."""

    crm = "Salesforce"

    def __init__(self, source: str, http: SalesforceHttp, catalog: FieldCatalog) -> None:
        super().__init__(source)
        self.http = http
        self.catalog = catalog
        self.reader = StreamReader(http, catalog, _Rows(self._mappers))  # type: ignore[arg-type]

    def _mapper_key(self, mapping: CustomObjectMapping) -> str:
        return mapping.object  # the reader maps rows by their object's name

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        obj = self._mapping(stream).object
        mark = self.http.budget.calls
        signpost: datetime = options.signpost or self.http.server_time()
        incremental = bool(state) and not options.full
        if state and incremental:
            self.catalog.load(state.get("describes"))
        window = Window.from_state(
            (state or {}).get("object") if incremental else None, options.lookback
        )
        self.catalog.ensure((obj,), signpost, refresh=options.full)
        page_size = options.page_size or self.http.settings.page_size
        for page in self.reader._read_object(stream, obj, window, signpost, page_size, options):
            describes = {k: v for k, v in self.catalog.to_state().items() if k == obj}
            page.state = {"object": page.state, "describes": describes}
            page.deleted_ids = [f"{obj}/{rid}" for rid in page.deleted_ids]
            page.api_calls, mark = self.http.budget.calls - mark, self.http.budget.calls
            yield page

    def list_ids(self, stream: str) -> Iterator[str]:
        obj = self._mapping(stream).object
        for rows in self.reader._id_pages(obj, ""):
            for row in rows:
                yield f"{obj}/{row['Id']}"
