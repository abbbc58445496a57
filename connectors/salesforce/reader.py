"""Reading streams: SOQL ``queryAll`` windows on ``SystemModstamp`` with an (ts, Id) keyset.

Each object is read as ``WHERE (SystemModstamp > ts OR (SystemModstamp = ts AND Id > id))
AND SystemModstamp <= signpost ORDER BY SystemModstamp, Id``. The keyset of the last row
of every page goes into the page's state, so a crash or a dead query locator resumes right
after it; re-reading is harmless (upserts). An incremental read starts ``lookback`` behind
the cursor (late commits) and asks ``/sobjects/X/deleted`` for purged ids. A window holding
more than ``bulk_threshold`` rows (``totalSize`` of the first REST page) continues, after
that page, as a Bulk API 2.0 job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.core.contract import Page, ReadOptions
from connectors.core.errors import ConnectorConfigError, SessionExpired
from connectors.salesforce.bulk import BulkReader
from connectors.salesforce.describe import FieldCatalog, ObjectFields
from connectors.salesforce.http import QueryLocatorLost, SalesforceHttp
from connectors.salesforce.mapping import RecordMapper, parse_datetime

__all__ = ["STREAMS", "StreamReader", "soql_datetime"]

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
}
# hard deletes are looked up for every object but User (users are deactivated)
_NO_DELETES = {"User"}
Row = dict[str, Any]


def soql_datetime(value: datetime) -> str:
    """A SOQL datetime literal (unquoted, UTC, milliseconds)."""
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _when(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass
class _Window:
    """Where one object's read stands: keyset after the last row, and the run's bounds."""

    cursor: datetime | None  # every row stamped at or before it was read by a finished run
    since: datetime | None  # lower bound of this run (None: from the beginning)
    ts: datetime | None
    id: str
    max_seen: datetime | None

    def to_state(self, done: bool) -> dict[str, Any]:
        return {
            "cursor": _iso(self.cursor),
            "since": _iso(self.since),
            "ts": _iso(self.ts),
            "id": self.id,
            "done": done,
        }


class StreamReader:
    """Reads one stream's objects as pages of common records with resumable state."""

    def __init__(self, http: SalesforceHttp, catalog: FieldCatalog, mapper: RecordMapper) -> None:
        self.http = http
        self.catalog = catalog
        self.mapper = mapper
        self.bulk = BulkReader(http)
        self.restarts = 0

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream not in STREAMS:
            known = ", ".join(STREAMS)
            raise ConnectorConfigError(f"unknown Salesforce stream {stream!r}; known: {known}")
        record_type, objects = STREAMS[stream]
        signpost = options.signpost or self.http.server_time()
        saved = {} if options.full or not state else dict(state.get("objects") or {})
        progress: dict[str, Any] = {name: saved[name] for name in objects if name in saved}
        for obj in objects:
            window = self._window(saved.get(obj), options.lookback)
            for page in self._read_object(stream, obj, window, signpost, options):
                progress[obj] = page.state
                page.state = {"record_type": record_type, "objects": dict(progress)}
                yield page

    @staticmethod
    def _window(saved: Mapping[str, Any] | None, lookback: timedelta) -> _Window:
        if not saved:
            return _Window(None, None, None, "", None)
        cursor = _when(saved.get("cursor"))
        if saved.get("done", True):
            since = None if cursor is None else cursor - lookback
            return _Window(cursor, since, since, "", None)
        # an unfinished run: go on right after its last committed row
        since, ts = _when(saved.get("since")), _when(saved.get("ts"))
        return _Window(cursor, since, ts or since, str(saved.get("id") or ""), ts)

    def _read_object(
        self, stream: str, obj: str, window: _Window, signpost: datetime, options: ReadOptions
    ) -> Iterator[Page]:
        mark = self.http.budget.calls
        fields = self.catalog.get(obj)
        page_size = options.page_size or self.http.settings.page_size
        for rows in self._scan(fields, window, signpost, page_size):
            records, quarantined = self.mapper.map_rows(obj, rows, fields.custom)
            last = rows[-1]
            window.ts, window.id = parse_datetime(last["SystemModstamp"]), str(last["Id"])
            window.max_seen = window.ts
            yield Page(
                stream,
                records,
                window.to_state(done=False),
                quarantined=quarantined,
                api_calls=self.http.budget.calls - mark,
            )
            mark = self.http.budget.calls
        deleted = self._hard_deletes(obj, window.since, signpost)
        ends = [t for t in (window.max_seen, window.cursor) if t is not None]
        final = _Window(min(max(ends), signpost) if ends else None, None, None, "", None)
        yield Page(
            stream,
            [],
            final.to_state(done=True),
            deleted_ids=deleted,
            api_calls=self.http.budget.calls - mark,
        )

    def _soql(self, fields: ObjectFields, window: _Window, signpost: datetime) -> str:
        conditions = []
        if window.ts is not None:
            ts = soql_datetime(window.ts)
            if window.id:
                conditions.append(
                    f"(SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > '{window.id}'))"
                )
            else:
                conditions.append(f"SystemModstamp >= {ts}")
        conditions.append(f"SystemModstamp <= {soql_datetime(signpost)}")
        return (
            f"SELECT {', '.join(fields.select)} FROM {fields.object_name} "
            f"WHERE {' AND '.join(conditions)} ORDER BY SystemModstamp, Id"
        )

    def _scan(
        self, fields: ObjectFields, window: _Window, signpost: datetime, page_size: int
    ) -> Iterator[list[Row]]:
        """Row batches in keyset order; restarts the query when its locator dies."""
        headers = {"Sforce-Query-Options": f"batchSize={page_size}"}
        timeout = self.http.settings.timeout_s
        restarts = 0
        while True:
            soql = self._soql(fields, window, signpost)
            try:
                result = self.http.call(
                    f"query {fields.object_name}",
                    lambda sf, q=soql: sf.query(
                        q, include_deleted=True, headers=headers, timeout=timeout
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
                        yield from self.bulk.rows(fields, self._soql(fields, window, signpost))
                        return
                    first = False
                    url = result["nextRecordsUrl"]
                    result = self.http.call(
                        f"query more {fields.object_name}",
                        lambda sf, u=url: sf.query_more(
                            u, identifier_is_url=True, headers=headers, timeout=timeout
                        ),
                        restartable=True,
                    )
            except (SessionExpired, QueryLocatorLost):
                restarts += 1
                self.restarts += 1
                if restarts > self.http.settings.max_query_restarts:
                    raise
                self.http.refresh_session()

    def _hard_deletes(self, obj: str, since: datetime | None, signpost: datetime) -> list[str]:
        if since is None or obj in _NO_DELETES or not self.http.settings.detect_hard_deletes:
            return []
        # the delete log reaches back about 15 days; older gaps are the id check's job
        start = max(since, signpost - timedelta(days=14))
        if start >= signpost:
            return []
        body = self.http.call(
            f"deleted {obj}",
            lambda sf: getattr(sf, obj).deleted(start, signpost),
        )
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
                lambda sf, u=url: sf.query_more(u, identifier_is_url=True, timeout=timeout),
                restartable=True,
            )
