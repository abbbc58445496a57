"""``ZohoConnector``: Zoho CRM through plain ``requests`` (API v8 by default)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from connectors.core.at_once import in_order
from connectors.core.base import HttpConnector
from connectors.core.channels import ChannelMap
from connectors.core.contract import (
    STREAM_RECORD_TYPES,
    CheckResult,
    Page,
    ReadOptions,
    StreamInfo,
)
from connectors.core.custom import CustomObjectMapping
from connectors.core.discovery import ObjectInfo
from connectors.core.errors import ConnectorError, ConnectorFatalError
from connectors.core.http import quick_calls
from connectors.core.profile import CrmProfile
from connectors.core.rates import ExchangeRate
from connectors.core.retry import RetryPolicy
from connectors.zoho.auth import ZohoTokenSource
from connectors.zoho.catalog import FieldCatalog
from connectors.zoho.custom import CustomStreams, discover
from connectors.zoho.fields import STREAM_MODULES
from connectors.zoho.history import TRACKED as HISTORY_MODULES
from connectors.zoho.history import HistoryReader
from connectors.zoho.http import ZohoHttp
from connectors.zoho.mapping import RELATED_PRODUCTS, ZohoMapper
from connectors.zoho.profile import PROFILE
from connectors.zoho.rates import read_exchange_rates
from connectors.zoho.reader import ModuleReader, ModuleWindow
from connectors.zoho.settings import ZohoSettings
from connectors.zoho.writer import ZohoWriter

__all__ = ["ZohoConnector"]

_RECORD_TYPES = {k: v for k, v in STREAM_RECORD_TYPES.items() if k != "campaign_members"}
_WRITABLE = {"leads", "contacts", "accounts", "deals", "cases"}
# deal_contacts only needs the deal's contact: no metadata call, no custom fields
_DEAL_CONTACT_FIELDS = ("Contact_Name", "Created_Time", "Modified_Time")
_LINK_KEYS = ("id", *_DEAL_CONTACT_FIELDS)
# deal_products reads the won deals' Products related lists (one call per won deal read)
_DEAL_PRODUCT_FIELDS = ("Stage", "Created_Time", "Modified_Time")
_PRODUCT_FIELDS = "Product_Name,Product_Code"
_WON = "Closed Won"
_DERIVED = {"deal_contacts": _DEAL_CONTACT_FIELDS, "deal_products": _DEAL_PRODUCT_FIELDS}
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _time(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


class ZohoConnector(HttpConnector[ZohoSettings]):
    """Reads and writes one Zoho CRM org (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "zoho"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[ZohoSettings]] = ZohoSettings

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = ZohoHttp(settings, self.session, self.budget, retry, name)
        self.tokens = ZohoTokenSource(settings, self.http)
        self.http.tokens = self.tokens
        self.catalog = FieldCatalog(self.http, settings.fields_ttl_s)
        self.mapper = ZohoMapper(name, channels)
        self.reader = ModuleReader(self.http, settings.page_size, settings.page_token_records)
        self.history = HistoryReader(
            self.http, self.reader, name, settings.history_days, settings.per_record_workers
        )
        self.writer = ZohoWriter(self.http, self.catalog, settings.write_batch_size)
        # deal -> contact links seen by this run's deals read (deal_contacts reuses them)
        self._deal_links: tuple[ModuleWindow, list[dict[str, Any]]] | None = None
        self.custom = CustomStreams(name, self.http, self.reader, settings.fields_ttl_s)

    # -- contract ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                params = {"type": "CurrentUser"}
                body = self.http.api("GET", "/users", params=params).body or {}
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        users = body.get("users") or [{}]
        domain = self.tokens.current().api_domain
        return CheckResult(
            True,
            f"connected to Zoho CRM at {domain} as {users[0].get('email')}",
            {"api_domain": domain, "user_id": users[0].get("id")},
        )

    def streams(self) -> list[StreamInfo]:
        out = [StreamInfo("users", "user", ("users",), incremental=False, detects_deletes=False)]
        for stream, modules in STREAM_MODULES.items():
            out.append(
                StreamInfo(
                    stream,
                    _RECORD_TYPES[stream],
                    modules,
                    detects_deletes=stream not in _DERIVED,
                    writable=stream in _WRITABLE,
                )
            )
        history = StreamInfo(
            "history",
            "field_change",
            tuple(HISTORY_MODULES),
            detects_deletes=False,
            append_only=True,
        )
        return [*out, history, *self.custom.infos()]

    def server_time(self) -> datetime:
        """The Date header of the token call when one is due, else of a one-user read."""
        before = self.tokens.refreshes
        self.tokens.current()
        if self.tokens.refreshes == before or self.http.last_date is None:
            self.http.api("GET", "/users", params={"type": "CurrentUser"})
        if self.http.last_date is None:
            raise ConnectorFatalError("Zoho sent no Date header", source=self.name)
        return self.http.last_date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream == "users":
            yield from self._read_users()
            return
        if stream in self.custom.mappings:
            signpost = options.signpost or self.server_time()
            yield from self.custom.read(stream, state, options, signpost)
            return
        if stream == "history":
            yield from self.history.read(state, options, options.signpost or self.server_time())
            return
        if stream not in STREAM_MODULES:
            raise ConnectorFatalError(f"Zoho has no stream {stream!r}", source=self.name)
        saved: dict[str, Any] = dict(state or {})
        modules: dict[str, dict[str, Any]] = {
            m: dict(s) for m, s in (saved.get("modules") or {}).items()
        }
        if options.full:
            # A full read lists every live record, but records deleted since the last run
            # are only in the deleted-records feed: keep its cursor so they are applied.
            modules = {
                m: {"deleted_cursor": s["deleted_cursor"]}
                for m, s in modules.items()
                if s.get("deleted_cursor")
            }
        signpost = options.signpost or self.server_time()
        for module in STREAM_MODULES[stream]:
            yield from self._read_module(stream, module, modules, signpost, options)

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        if stream == "users":
            for users_page in self._read_users():
                yield from (r.remote_id for r in users_page.records)
            return
        if stream == "history":
            return  # timeline entries are never deleted: nothing to compare
        for module in STREAM_MODULES[stream]:
            if stream in _DERIVED:
                window = self._window(module, _DERIVED[stream], {}, _FAR_FUTURE, None)
                for page in self.reader.read(window):
                    rows = (
                        self._with_products(page.rows) if stream == "deal_products" else page.rows
                    )
                    records, _ = self.mapper.map_rows(stream, module, rows)
                    yield from (r.remote_id for r in records)
                continue
            yield from self.reader.list_ids(module, "Modified_Time", _extra(module))

    def exchange_rates(self) -> list[ExchangeRate]:
        """The rates the org's deals were saved at (``rates.py``)."""
        return read_exchange_rates(self.http, self.reader)

    # -- reading -----------------------------------------------------------------------

    def _read_module(
        self,
        stream: str,
        module: str,
        modules: dict[str, dict[str, Any]],
        signpost: datetime,
        options: ReadOptions,
    ) -> Iterator[Page]:
        mstate = modules.setdefault(module, {})
        if stream in _DERIVED:
            fields: tuple[str, ...] = _DERIVED[stream]
        else:
            known = self.catalog.get(module, mstate, signpost, refresh=options.full)
            self.mapper.custom[module] = known.custom
            mstate.update(known.to_state())
            fields = known.fields
        window = self._window(module, fields, mstate, signpost, options.lookback)
        if stream in _DERIVED:
            window = replace(window, read_deletes=False)  # deal ids alone cannot name rows
        if stream == "deal_contacts":
            cached = self._cached_links(window)
            if cached is not None:
                records, bad = self.mapper.map_rows(stream, module, cached)
                mstate["cursor"] = mstate["deleted_cursor"] = signpost.isoformat()
                yield Page(stream, records, {"modules": modules}, bad)
                return
        links: list[dict[str, Any]] | None = [] if stream == "deals" else None
        for part in self.reader.read(window):
            if links is not None:
                links.extend({k: r.get(k) for k in _LINK_KEYS} for r in part.rows)
            rows = self._with_products(part.rows) if stream == "deal_products" else part.rows
            records, bad = self.mapper.map_rows(stream, module, rows)
            mstate["cursor"] = part.cursor.isoformat() if part.cursor else None
            mstate["deleted_cursor"] = (
                part.deleted_cursor.isoformat() if part.deleted_cursor else None
            )
            state = {"modules": {m: dict(s) for m, s in modules.items()}}
            yield Page(stream, records, state, bad, part.deleted_ids)
        if links is not None:
            self._deal_links = (window, links)

    def _with_products(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The deal rows, each won one with its Products related list attached (read
        ``per_record_workers`` deals at a time, in the rows' order)."""
        won = [row for row in rows if row.get("Stage") == _WON]
        found = iter(in_order(self.settings.per_record_workers, self._products, won))
        return [
            {**row, RELATED_PRODUCTS: next(found) if row.get("Stage") == _WON else []}
            for row in rows
        ]

    def _products(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        products: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"fields": _PRODUCT_FIELDS, "page": page, "per_page": 200}
            body = self.http.api("GET", f"/Deals/{row['id']}/Products", params=params).body
            products.extend((body or {}).get("data") or [])
            if not ((body or {}).get("info") or {}).get("more_records"):
                break
            page += 1
        return products

    def _cached_links(self, window: ModuleWindow) -> list[dict[str, Any]] | None:
        """This run's deals rows when they cover ``window`` (same signpost, no later start)."""
        if self._deal_links is None:
            return None
        seen, rows = self._deal_links
        covers = seen.cursor is None or (
            window.cursor is not None
            and window.cursor - window.lookback >= seen.cursor - seen.lookback
        )
        return rows if covers and seen.signpost == window.signpost else None

    def _window(
        self,
        module: str,
        fields: tuple[str, ...],
        mstate: Mapping[str, Any],
        signpost: datetime,
        lookback: timedelta | None,
    ) -> ModuleWindow:
        cursor = _time(mstate.get("cursor"))
        return ModuleWindow(
            module,
            fields,
            cursor,
            _time(mstate.get("deleted_cursor")),
            lookback or timedelta(0),
            signpost,
            # a first read has nothing stored to delete; any later read, full or not, does
            read_deletes=cursor is not None or mstate.get("deleted_cursor") is not None,
            extra_params=tuple(_extra(module).items()),
        )

    def _read_users(self) -> Iterator[Page]:
        page = 1
        while True:
            params = {"type": "AllUsers", "page": page, "per_page": self.settings.page_size}
            body = self.http.api("GET", "/users", params=params).body or {}
            rows = body.get("users") or []
            records, bad = self.mapper.map_rows("users", "users", rows)
            yield Page("users", records, {}, bad)
            if not (body.get("info") or {}).get("more_records") or not rows:
                return
            page += 1


def _extra(module: str) -> dict[str, str]:
    # Zoho hides converted leads unless asked; they are leads all the same
    return {"converted": "both"} if module == "Leads" else {}
