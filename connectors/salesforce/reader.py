"""Reading streams: SOQL ``queryAll`` windows on ``SystemModstamp`` with an (ts, Id) keyset.

Each object is read through its ``Window`` (see ``windows``). The keyset of the last row
of every page goes into the page's state, so a crash or a dead query locator resumes right
after it; re-reading is harmless (upserts). A window holding more than ``bulk_threshold``
rows (``totalSize`` of the first REST page) continues, after that page, as a Bulk API 2.0
job.

Calls are kept near the minimum: the describes of a run go in one Composite Batch and ride
in the state (``FieldCatalog``), and an incremental run sends the first page of every
object's window, with the due delete logs, in one Composite Batch (``FirstPages``); only
objects whose first page was not ``done`` page on through ``nextRecordsUrl``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from operator import methodcaller
from typing import Any

from connectors.core.contract import Page, ReadOptions
from connectors.core.errors import ConnectorConfigError, ConnectorError, SessionExpired
from connectors.salesforce.batch import CompositeBatch
from connectors.salesforce.bulk import BulkReader
from connectors.salesforce.describe import FieldCatalog, ObjectFields
from connectors.salesforce.http import QueryLocatorLost, SalesforceHttp
from connectors.salesforce.mapping import RecordMapper, parse_datetime
from connectors.salesforce.prefetch import FirstPages
from connectors.salesforce.windows import Window, deleted_url, query_url, soql_datetime

__all__ = ["ALL_OBJECTS", "STREAMS", "StreamReader", "soql_datetime"]

STREAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "users": ("user", ("User",)),
    "leads": ("lead", ("Lead",)),
    "contacts": ("contact", ("Contact",)),
    "accounts": ("account", ("Account",)),
    "deals": ("deal", ("Opportunity",)),
    "deal_contacts": ("deal_contact", ("OpportunityContactRole",)),
    "activities": ("activity", ("Task", "Event")),
    "cases": ("case", ("Case",)),
    "campaign_members": ("campaign_member", ("CampaignMember",)),
    "deal_products": ("deal_product", ("OpportunityLineItem",)),
    "deal_splits": ("deal_split", ("OpportunitySplit",)),
}
ALL_OBJECTS = tuple(obj for _, objects in STREAMS.values() for obj in objects)
# hard deletes are looked up for every object but User (users are deactivated)
_NO_DELETES = {"User"}
# objects an org has only with a feature on (splits need Team Selling): absent, their
# stream reads nothing instead of failing
OPTIONAL_OBJECTS = frozenset({"OpportunitySplit"})
# batch subrequests carry no Sforce-Query-Options: their pages are the server's default
_SERVER_PAGE = 2000
Row = dict[str, Any]


class StreamReader:
    """Reads one stream's objects as pages of common records with resumable state."""

    def __init__(self, http: SalesforceHttp, catalog: FieldCatalog, mapper: RecordMapper) -> None:
        self.http = http
        self.catalog = catalog
        self.mapper = mapper
        self.bulk = BulkReader(http)
        self.first_pages = FirstPages(CompositeBatch(http))
        self.restarts = 0

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream not in STREAMS:
            known = ", ".join(STREAMS)
            raise ConnectorConfigError(f"unknown Salesforce stream {stream!r}; known: {known}")
        record_type, objects = STREAMS[stream]
        mark = self.http.budget.calls
        signpost = options.signpost or self.http.server_time()
        incremental = bool(state) and not options.full
        saved = dict(state.get("objects") or {}) if state and incremental else {}
        if state and incremental:
            self.catalog.load(state.get("describes"))
        windows = {obj: Window.from_state(saved.get(obj), options.lookback) for obj in objects}
        try:
            self.catalog.ensure(objects, signpost, refresh=options.full, also=ALL_OBJECTS)
        except ConnectorError as exc:
            if not (_absent(exc) and set(objects) <= OPTIONAL_OBJECTS):
                raise
            state = {"record_type": record_type, "objects": {}, "absent": sorted(objects)}
            yield Page(stream, [], state)
            return
        page_size = options.page_size or self.http.settings.page_size
        if incremental and page_size >= _SERVER_PAGE:
            self._fetch_first_pages(objects, windows, signpost, options.lookback)
        progress: dict[str, Any] = {name: saved[name] for name in objects if name in saved}
        for obj in objects:
            for page in self._read_object(stream, obj, windows[obj], signpost, page_size, options):
                progress[obj] = page.state
                page.state = {
                    "record_type": record_type,
                    "objects": dict(progress),
                    "describes": self.catalog.to_state(),
                }
                page.api_calls, mark = self.http.budget.calls - mark, self.http.budget.calls
                yield page

    def _fetch_first_pages(
        self,
        objects: tuple[str, ...],
        windows: dict[str, Window],
        signpost: datetime,
        lookback: timedelta,
    ) -> None:
        """One batch for this run: this stream's requests, then guesses for the others."""
        if self.first_pages.fetched_for(signpost):
            return
        model = next((w for w in windows.values() if w.since is not None and not w.resumed), None)
        plan = [(obj, windows[obj]) for obj in objects]
        if model is not None:
            plan += [(obj, model.like()) for obj in ALL_OBJECTS if obj not in objects]
        urls: list[str] = []
        for obj, window in plan:
            fields = self.catalog.known(obj)
            if fields is None:
                continue
            urls.append(query_url(window.soql(fields, signpost)))
            start = self._deletes_start(obj, window, signpost, lookback)
            if start is not None:
                urls.append(deleted_url(obj, start, signpost))
        self.first_pages.fetch(signpost, urls)

    def _deletes_start(
        self, obj: str, window: Window, signpost: datetime, lookback: timedelta
    ) -> datetime | None:
        if obj in _NO_DELETES or not self.http.settings.detect_hard_deletes:
            return None
        every = self.http.settings.hard_delete_check_every
        return window.deletes_start(signpost, every, lookback)

    def _read_object(
        self,
        stream: str,
        obj: str,
        window: Window,
        signpost: datetime,
        page_size: int,
        options: ReadOptions,
    ) -> Iterator[Page]:
        fields = self.catalog.known(obj) or self.catalog.get(obj)
        for rows in self._scan(fields, window, signpost, page_size):
            records, quarantined = self.mapper.map_rows(obj, rows, fields.custom)
            last = rows[-1]
            window.ts, window.id = parse_datetime(last["SystemModstamp"]), str(last["Id"])
            yield Page(stream, records, window.to_state(done=False), quarantined=quarantined)
        deleted: list[str] = []
        start = self._deletes_start(obj, window, signpost, options.lookback)
        if start is not None:
            deleted = self._hard_deletes(obj, start, signpost)
        if start is not None or window.since is None:
            window.deletes_at = signpost  # a full read leaves nothing purged behind
        final = Window(signpost, None, None, "", window.deletes_at)
        yield Page(stream, [], final.to_state(done=True), deleted_ids=deleted)

    def _scan(
        self, fields: ObjectFields, window: Window, signpost: datetime, page_size: int
    ) -> Iterator[list[Row]]:
        """Row batches in keyset order; restarts the query when its locator dies."""
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        timeout = self.http.settings.timeout_s
        restarts = 0
        while True:
            soql = window.soql(fields, signpost)
            try:
                result = self.first_pages.take(query_url(soql))
                if result is None:
                    result = self.http.call(
                        f"query {fields.object_name}",
                        methodcaller(
                            "query", soql, include_deleted=True, headers=headers, timeout=timeout
                        ),
                    )
                first = True
                while True:
                    rows = result["records"]
                    if rows:
                        yield rows  # the caller moves the window's keyset past these rows
                    if result["done"]:
                        return
                    left = int(result["totalSize"]) - len(rows)
                    if first and left > self.http.settings.bulk_threshold:
                        yield from self.bulk.rows(fields, window.soql(fields, signpost))
                        return
                    first = False
                    url = result["nextRecordsUrl"]
                    result = self.http.call(
                        f"query more {fields.object_name}",
                        methodcaller(
                            "query_more",
                            url,
                            identifier_is_url=True,
                            headers=headers,
                            timeout=timeout,
                        ),
                        restartable=True,
                    )
            except (SessionExpired, QueryLocatorLost):
                restarts += 1
                self.restarts += 1
                if restarts > self.http.settings.max_query_restarts:
                    raise
                self.http.refresh_session()

    def _hard_deletes(self, obj: str, start: datetime, signpost: datetime) -> list[str]:
        url = deleted_url(obj, start, signpost)
        body = self.first_pages.take(url)
        if body is None:
            timeout = self.http.settings.timeout_s
            body = self.http.call(f"deleted {obj}", lambda sf: sf.restful(url, timeout=timeout))
        return [str(item["id"]) for item in (body or {}).get("deletedRecords", [])]

    def list_ids(self, stream: str) -> Iterator[str]:
        """Every live id of the stream's objects, by an Id keyset (restart-safe)."""
        for obj in STREAMS[stream][1]:
            after, restarts = "", 0
            while True:
                try:
                    for rows in self._id_pages(obj, after):
                        for row in rows:
                            yield str(row["Id"])
                        after = str(rows[-1]["Id"])
                    break
                except (SessionExpired, QueryLocatorLost):
                    restarts += 1
                    if restarts > self.http.settings.max_query_restarts:
                        raise
                    self.http.refresh_session()  # then go on after the last id seen
                except ConnectorError as exc:
                    if obj in OPTIONAL_OBJECTS and _absent(exc):
                        break
                    raise

    def _id_pages(self, obj: str, after: str) -> Iterator[list[Row]]:
        timeout = self.http.settings.timeout_s
        where = f" WHERE Id > '{after}'" if after else ""
        soql = f"SELECT Id FROM {obj}{where} ORDER BY Id"
        result = self.http.call(f"ids of {obj}", lambda sf: sf.query(soql, timeout=timeout))
        while True:
            if result["records"]:
                yield result["records"]
            if result["done"]:
                return
            url = result["nextRecordsUrl"]
            result = self.http.call(
                f"ids of {obj}",
                methodcaller("query_more", url, identifier_is_url=True, timeout=timeout),
                restartable=True,
            )


def _absent(exc: ConnectorError) -> bool:
    """The org has no such object (describe 404 NOT_FOUND, SOQL 400 INVALID_TYPE)."""
    text = str(exc)
    return exc.status in (400, 404) and ("NOT_FOUND" in text or "INVALID_TYPE" in text)
