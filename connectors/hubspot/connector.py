"""``HubSpotConnector``: HubSpot CRM through hubspot-api-client (CRM v3 objects, v4
associations, owners, pipelines, properties).

Deal contact roles are HubSpot deal->contact associations. They are read with the deals
(inline on list calls, a v4 batch read per search page) and emitted as ``DealContact``
records in the deals stream's own pages, so they cost no extra calls. The
``deal_contacts`` stream then only handles contact merges (the merged-away contact's rows
are reported deleted, see ``merges``): when this connector read deals in the same run it
carries the deals' state; run on its own it reads deals and emits only their roles.
Incremental runs restore property lists and pipeline stages from the stream state
(``catalog``) instead of fetching them, and re-read the records whose links an archive or a
restore changed without dating them (``relinks``, with the store's ``ReadOptions.linked``).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import requests

from connectors.core.budget import QuotaBudget
from connectors.core.channels import ChannelMap
from connectors.core.contract import (
    STREAM_RECORD_TYPES,
    ApiUsage,
    CheckResult,
    FieldSpec,
    FieldStatus,
    FieldUpdate,
    LinkedRecords,
    Page,
    Quarantined,
    ReadOptions,
    StreamInfo,
    WriteResult,
)
from connectors.core.custom import CustomObjectMapping
from connectors.core.discovery import ObjectInfo
from connectors.core.errors import ConnectorError, ConnectorFatalError, SkippableRecordError
from connectors.core.http import quick_calls
from connectors.core.profile import CrmProfile
from connectors.core.rates import ExchangeRate
from connectors.core.records import CommonRecord
from connectors.core.retry import RetryPolicy
from connectors.hubspot.apis import Apis
from connectors.hubspot.auth import TokenSource
from connectors.hubspot.catalog import Catalog
from connectors.hubspot.custom import CustomStreams, discover
from connectors.hubspot.history import TRACKED as HISTORY_OBJECTS
from connectors.hubspot.history import HistoryReader
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.mapping import HubSpotMapper
from connectors.hubspot.marketing import MARKETING_STREAMS, MarketingReader
from connectors.hubspot.merges import MergeReader, merge_window
from connectors.hubspot.owners import owner_pages
from connectors.hubspot.profile import PROFILE
from connectors.hubspot.rates import read_exchange_rates
from connectors.hubspot.reader import Extra, ObjectReader, to_ms
from connectors.hubspot.relinks import Relink, Relinks
from connectors.hubspot.settings import HubSpotSettings
from connectors.hubspot.streamrun import StreamRun
from connectors.hubspot.writer import HubSpotWriter

__all__ = ["HubSpotConnector"]

_STREAMS = (
    "users",
    "contacts",
    "accounts",
    "deals",
    "deal_contacts",
    "activities",
    "cases",
    "deal_products",
)
_RECORD_TYPES = {name: STREAM_RECORD_TYPES[name] for name in _STREAMS}
_OBJECTS = {
    "contacts": ("contacts",),
    "accounts": ("companies",),
    "deals": ("deals",),
    "deal_contacts": ("deals",),
    "cases": ("tickets",),
    "deal_products": ("line_items",),
}
_WRITABLE = {"contacts", "accounts", "deals", "cases"}


class HubSpotConnector:
    """Reads and writes one HubSpot portal (see ``connectors.core.contract``).

    ``session`` is accepted for the common constructor but unused: the official client
    brings its own urllib3 pool, verified against ``settings.ca_bundle``.
    """

    kind: ClassVar[str] = "hubspot"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[HubSpotSettings]] = HubSpotSettings

    def __init__(
        self,
        name: str,
        settings: HubSpotSettings,
        *,
        channels: ChannelMap | None = None,
        quota: QuotaBudget | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.budget = quota or QuotaBudget(source=name)
        self.apis = Apis(settings)
        self.http = HubSpotHttp(self.budget, retry or RetryPolicy(), name, settings.timeout_s)
        self.tokens = TokenSource(settings, self.apis, self.http)
        self.http.tokens = self.tokens
        self.catalog = Catalog(self.http, self.apis)
        self.mapper = HubSpotMapper(name, channels or ChannelMap(PROFILE), None, {})
        self.marketing = MarketingReader(self.http, self.apis, name, self.mapper.channels)
        self.mapper.custom = self.catalog.custom()
        self.reader = ObjectReader(self.http, self.apis, settings)
        self.merges = MergeReader(self.http, self.apis, self.reader)
        self.writer = HubSpotWriter(self.http, self.apis, settings.write_batch_size)
        self._full_ids: dict[str, set[str]] = {}  # live ids seen by a complete full read
        self._deals_state: dict[str, Any] | None = None  # deals read in this instance
        self.relinks = Relinks(self.reader)
        self.custom = CustomStreams(name, self.http, self.catalog, self.reader)
        self.history = HistoryReader(self.http, self.apis, name, self.catalog.stages)

    # -- contract ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                response = self.http.call(self.apis.owners.get_page, limit=1)
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        daily = response.headers.get("x-hubspot-ratelimit-daily")
        return CheckResult(
            True,
            f"connected to HubSpot at {self.settings.base_url}",
            {"base_url": self.settings.base_url, "daily_limit": daily},
        )

    def streams(self) -> list[StreamInfo]:
        out = [StreamInfo("users", "user", ("owners",), incremental=False)]
        for stream in _STREAMS[1:]:
            out.append(
                StreamInfo(
                    stream,
                    _RECORD_TYPES[stream],
                    self._objects(stream),
                    writable=stream in _WRITABLE,
                )
            )
        history = StreamInfo(
            "history",
            "field_change",
            tuple(HISTORY_OBJECTS),
            detects_deletes=False,
            append_only=True,
        )
        marketing = [
            StreamInfo(stream, "event", (stream,), detects_deletes=False, append_only=True)
            for stream in MARKETING_STREAMS
            if self.settings.marketing_events
        ]
        return [*out, history, *marketing, *self.custom.infos()]

    def server_time(self) -> datetime:
        """The ``Date`` header of a one-owner read."""
        date = self.http.call(self.apis.owners.get_page, limit=1).date
        if date is None:
            raise ConnectorFatalError("HubSpot sent no Date header", source=self.name)
        return date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream == "users":
            yield from self._users()
            return
        if stream in self.custom.mappings:
            signpost = options.signpost or self.server_time()
            self.catalog.now_ms = to_ms(signpost)
            yield from self.custom.read(stream, state, options, signpost)
            return
        if stream in MARKETING_STREAMS:
            signpost_ms = to_ms(options.signpost or self.server_time())
            yield from self.marketing.read(stream, state, options.full, signpost_ms)
            return
        if stream == "history":
            signpost = options.signpost or self.server_time()
            self.catalog.now_ms = to_ms(signpost)
            yield from self.history.read(state, options, signpost)
            return
        yield from self._read_objects(stream, state, options)

    def _read_objects(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        objects = self._objects(stream)
        full = options.full or not state
        saved = {} if full else copy.deepcopy(dict(state or {}))
        signpost_ms = to_ms(options.signpost or self.server_time())
        lookback_ms = int(options.lookback.total_seconds() * 1000)
        self.catalog.now_ms = signpost_ms
        if not full:
            self.catalog.restore(saved.get("catalog"))
        staged = stream in ("deals", "deal_contacts", "cases")
        if staged:
            self.mapper.stages = self.catalog.stages()
        run = StreamRun(stream, saved.get("objects") or {}, saved.get("merges") or {}, signpost_ms)
        # kept by full reads too: links of records archived before one may come back
        run.hidden = copy.deepcopy(dict((state or {}).get("hidden") or {}))
        window = merge_window(run.merges, run.objects, signpost_ms, lookback_ms)
        roles_only = stream == "deal_contacts"
        if window is None:
            run.merges.clear()
            run.merges["since"] = signpost_ms  # this read sees every link as it is now
        else:
            self.merges.plan(objects, run.merges, window, roles_only)
        if roles_only and self._deals_state is not None:
            # Deals (with their roles) were read by this instance: only merges are left.
            run.objects = copy.deepcopy(self._deals_state["objects"])
            yield from self._merged(run, objects, staged)
            yield Page(stream, [], run.state(self.catalog.snapshot(objects, staged)))
            return
        fresh_ids: dict[str, set[str]] | None = {"deal": set(), "deal_contact": set()}
        settled: dict[str, set[str]] = {}  # hidden ids re-linked or purged: forgotten at the end
        for object_type in objects:
            previous = run.objects.get(object_type)
            if previous and (previous.get("cursor") is not None or previous.get("run")):
                fresh_ids = None  # resumed or incremental: not a complete id list
            yield from self._read_object_type(
                run, objects, staged, object_type, lookback_ms, options.linked, settled, fresh_ids
            )
        yield from self._merged(run, objects, staged)  # left over by a resumed run
        if settled:
            run.forget_hidden(settled)
            yield Page(stream, [], run.state(self.catalog.snapshot(objects, staged)))
        if fresh_ids is not None:
            self._full_ids[stream] = fresh_ids.get(_RECORD_TYPES[stream], set())
            if stream == "deals":
                self._full_ids["deal_contacts"] = fresh_ids["deal_contact"]
        if stream == "deals":
            self._deals_state = {"objects": copy.deepcopy(run.objects)}

    def _read_object_type(
        self,
        run: StreamRun,
        objects: tuple[str, ...],
        staged: bool,
        object_type: str,
        lookback_ms: int,
        linked: LinkedRecords | None,
        settled: dict[str, set[str]],
        fresh_ids: dict[str, set[str]] | None,
    ) -> Iterator[Page]:
        """The pages of one HubSpot object of the stream; ``settled`` gathers the hidden
        ids its relinks settled, ``fresh_ids`` the ids a complete read saw."""
        previous = run.objects.get(object_type)
        properties = self.catalog.properties(object_type)
        catalog = self.catalog.snapshot(objects, staged)
        calls = self.http.calls
        relink = self.relinks.plan(
            object_type, previous, lookback_ms, run.signpost_ms, linked, run.hidden
        )
        for target, ids in relink.settled.items():
            settled.setdefault(target, set()).update(ids)
        extra = self._extra(run, object_type, properties, relink)
        for batch in self.reader.read(
            object_type, previous, properties, lookback_ms, run.signpost_ms, extra, relink.relist
        ):
            run.objects[object_type] = batch.state
            page = self._page(run.stream, batch.object_type, batch.results, batch.archived)
            if relink.roles and not batch.archived:
                page.records.extend(self._dropped_roles(batch.results, relink.roles))
            page.state = run.state(catalog)
            page.api_calls, calls = self.http.calls - calls, self.http.calls
            if fresh_ids is not None and not batch.archived:
                for record in page.records:
                    fresh_ids.setdefault(record.kind, set()).add(record.remote_id)
            yield page

    def exchange_rates(self) -> list[ExchangeRate]:
        """The portal's exchange rates (multi-currency settings)."""
        return read_exchange_rates(self.http, self.apis)

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, self.apis, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        if stream in self._full_ids:
            yield from sorted(self._full_ids[stream])
            return
        if stream == "users":
            for owner in owner_pages(self.http, self.apis, archived=False):
                yield str(owner["id"])
            return
        if stream == "history":
            return  # versions are never deleted: nothing to compare
        for object_type in self._objects(stream):
            run: dict[str, Any] = {}
            links = ("contacts",) if stream == "deal_contacts" else ()
            while True:
                results, after = self.reader._list_page(
                    object_type, ["hs_object_id"], links, False, run
                )
                for record in results:
                    if stream == "deal_contacts":
                        yield from (dc.remote_id for dc in self.mapper.deal_contacts(record))
                    else:
                        yield str(record["id"])
                if after is None:
                    break
                run["after"] = after

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        return self.writer.write(object_name, updates)

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        statuses = self.writer.ensure_fields(object_name, fields, create)
        if any(s.created for s in statuses):
            self.catalog.forget()
        return statuses

    def api_usage(self) -> ApiUsage:
        return ApiUsage(self.http.calls, self.budget.used, self.budget.limit)

    def close(self) -> None:
        self.apis.close()

    # -- helpers -----------------------------------------------------------------------

    def _objects(self, stream: str) -> tuple[str, ...]:
        if stream == "activities":
            return tuple(self.settings.engagement_types)
        if stream in _OBJECTS:
            return _OBJECTS[stream]
        raise ConnectorFatalError(f"HubSpot has no stream {stream!r}", source=self.name)

    def _extra(
        self, run: StreamRun, object_type: str, properties: list[str], relink: Relink
    ) -> Extra | None:
        """The records a search run adds to its last page: those merges re-linked, and
        those that linked to records archived since the cursor (see ``relinks``)."""
        merged = run.stream != "deal_contacts" and self.merges.pending(run.merges, object_type)
        if not merged and not relink.ids:
            return None

        def extra() -> list[dict[str, Any]]:
            ids = set(relink.ids)
            if merged:
                ids.update(self.merges.take(object_type, run.merges))
            # one batch read of 100 ids at a time for both
            return self.reader.batch_read(object_type, sorted(ids, key=int), properties)

        return extra

    def _dropped_roles(
        self, results: list[dict[str, Any]], roles: dict[str, set[str]]
    ) -> list[CommonRecord]:
        """Deleted roles of re-read deals, for their archived contacts."""
        out: list[CommonRecord] = []
        for raw in results:
            stale = roles.get(str(raw["id"]))
            if stale:
                linked = set((raw.get("links") or {}).get("contacts") or ())
                out.extend(self.mapper.dropped_roles(str(raw["id"]), stale - linked))
        return out

    def _merged(self, run: StreamRun, objects: tuple[str, ...], staged: bool) -> Iterator[Page]:
        """Pages of records still pending after merges (see ``merges``)."""
        roles_only = run.stream == "deal_contacts"
        properties = {} if roles_only else {t: self.catalog.properties(t) for t in objects}
        calls = self.http.calls
        for batch in self.merges.read(objects, run.merges, properties, roles_only):
            page = self._page(run.stream, batch.object_type, batch.results, False)
            page.deleted_ids.extend(batch.dropped)
            page.state = run.state(self.catalog.snapshot(objects, staged))
            page.api_calls, calls = self.http.calls - calls, self.http.calls
            yield page

    def _page(
        self, stream: str, object_type: str, results: list[dict[str, Any]], archived: bool
    ) -> Page:
        records: list[CommonRecord] = []
        quarantined: list[Quarantined] = []
        deleted: list[str] = []
        roles_only = stream == "deal_contacts"
        for raw in results:
            if object_type == "deals":
                records.extend(self.mapper.deal_contacts(raw, deleted=archived))
                if roles_only:
                    continue
            try:
                record = self.mapper.map(object_type, raw)
            except SkippableRecordError as exc:
                quarantined.append(Quarantined(exc.record_id, exc.user_message, raw))
                if object_type == "line_items" and not (raw.get("links") or {}).get("deals"):
                    # its deal was archived: a fresh read quarantines it too, so the row goes
                    deleted.append(str(raw.get("id")))
                continue
            records.append(record)
            merged = getattr(record, "merged_ids", None)
            if merged and not record.deleted:
                deleted.extend(merged)  # merged-away records vanish from HubSpot
        return Page(stream, records, {}, quarantined, deleted)

    def _users(self) -> Iterator[Page]:
        calls = self.http.calls
        records: list[CommonRecord] = []
        quarantined: list[Quarantined] = []
        for archived in (False, True):
            for owner in owner_pages(self.http, self.apis, archived):
                try:
                    records.append(self.mapper.user(owner))
                except SkippableRecordError as exc:
                    quarantined.append(Quarantined(exc.record_id, exc.user_message, owner))
        self._full_ids["users"] = {r.remote_id for r in records if not r.deleted}
        yield Page("users", records, {}, quarantined, api_calls=self.http.calls - calls)
