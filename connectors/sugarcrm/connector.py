"""``SugarCRMConnector``: SugarCRM through its REST API v11.

Sign-in and HTTP in ``http.py`` (plain ``requests``: Sugar has no official Python
client), reads through the filter API in keyset order (``reader.py``), write-back through
the bulk API (``writer.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import orjson

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
from connectors.core.retry import RetryPolicy
from connectors.sugarcrm.custom import CustomStreams, discover
from connectors.sugarcrm.http import SugarHttp
from connectors.sugarcrm.mapping import ACTIVITY_MODULES, SugarMapper
from connectors.sugarcrm.profile import PROFILE
from connectors.sugarcrm.reader import DealContactReader, ModuleReader
from connectors.sugarcrm.settings import SugarCRMSettings
from connectors.sugarcrm.writer import SugarWriter

__all__ = ["STREAM_MODULES", "SugarCRMConnector"]

STREAM_MODULES: dict[str, tuple[str, ...]] = {
    "users": ("Users",),
    "leads": ("Leads",),
    "contacts": ("Contacts",),
    "accounts": ("Accounts",),
    "deals": ("Opportunities",),
    "deal_contacts": ("Opportunities",),
    "activities": tuple(ACTIVITY_MODULES),
    "cases": ("Cases",),
}
WRITABLE = {"users", "leads", "contacts", "accounts", "deals"}


class SugarCRMConnector(HttpConnector[SugarCRMSettings]):
    """Reads and writes one Sugar instance (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "sugarcrm"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[SugarCRMSettings]] = SugarCRMSettings

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = SugarHttp(settings, self.session, self.budget, retry, name)
        self.mapper = SugarMapper(name, channels)
        self.modules = ModuleReader(self.http, settings.page_size)
        self.links = DealContactReader(self.http, self.modules)
        self.writer = SugarWriter(self.http, settings.write_batch_size)
        self.custom = CustomStreams(name, self.modules)
        # the modules an incremental run reads (``plan_reads``), and the answers to their
        # first filter queries once ``server_time`` fetched them, each taken once
        self._planned: dict[str, Mapping[str, Any]] = {}
        self._lookback = ReadOptions().lookback
        self._ahead: dict[tuple[str, bytes], Any] = {}

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                user = (self.http.call("GET", "me") or {}).get("current_user") or {}
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        return CheckResult(
            True,
            f"connected to SugarCRM at {self.settings.site_url} as {user.get('user_name')}",
            {"user_id": user.get("id")},
        )

    def streams(self) -> list[StreamInfo]:
        return [
            StreamInfo(
                stream,
                STREAM_RECORD_TYPES[stream],
                ("opportunities_contacts",) if stream == "deal_contacts" else modules,
                writable=stream in WRITABLE,
            )
            for stream, modules in STREAM_MODULES.items()
        ] + self.custom.infos()

    def plan_reads(
        self, states: Mapping[str, Mapping[str, Any] | None], options: ReadOptions
    ) -> None:
        """Plan the run's incremental reads: each module of a standard stream read before
        (the opportunities' contact links aside), whose first page ``server_time`` asks
        for with the others in one bulk call once it has the signpost."""
        self._planned, self._lookback = {}, options.lookback
        for stream, state in states.items():
            if options.full or stream not in STREAM_MODULES or stream == "deal_contacts":
                continue
            for module in STREAM_MODULES[stream]:
                saved = ((state or {}).get("modules") or {}).get(module)
                if saved and saved.get("cursor"):
                    self._planned[module] = saved

    def server_time(self) -> datetime:
        """The Date header of a ping (the instance's clock); then the planned reads' first
        pages, in one bulk call (a module's read starts from its answer)."""
        self.http.call("GET", "ping")
        if self.http.last_date is None:
            raise ConnectorFatalError("SugarCRM sent no Date header", source=self.name)
        signpost = self.http.last_date
        planned, self._planned = self._planned, {}
        queries = {
            module: self.modules.body(saved, False, self._lookback, signpost)
            for module, saved in planned.items()
        }
        self._ahead = {}
        if len(queries) > 1:  # one query alone goes as itself, in its stream
            requests = [
                {"url": f"/v11/{m}/filter", "method": "POST", "data": orjson.dumps(q).decode()}
                for m, q in queries.items()
            ]
            answers = self.http.call("POST", "bulk", json={"requests": requests}) or []
            for (module, query), answer in zip(queries.items(), answers, strict=False):
                if isinstance(answer, dict) and answer.get("status") == 200:
                    self._ahead[(module, _key(query))] = answer.get("contents") or {}
        return signpost

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom.mappings:
            yield from self.custom.read(stream, state, options)
            return
        if stream not in STREAM_MODULES:
            raise ConnectorFatalError(f"SugarCRM has no stream {stream!r}", source=self.name)
        if stream == "deal_contacts":
            saved = dict(state or {})
            for part in self.links.read(saved, options.full, options.lookback, options.signpost):
                records, bad = self.mapper.map_rows(stream, "Opportunities", part.rows)
                yield Page(stream, records, part.state, bad, part.deleted_ids)
            return
        modules: dict[str, Any] = dict((state or {}).get("modules") or {})
        for module in STREAM_MODULES[stream]:
            kept, full = modules.get(module), options.full
            query = self.modules.body(kept, full, options.lookback, options.signpost)
            first = self._ahead.pop((module, _key(query)), None)
            for part in self.modules.read(
                module, kept, full, options.lookback, options.signpost, first=first
            ):
                records, bad = self.mapper.map_rows(stream, module, part.rows)
                modules[module] = part.state
                yield Page(stream, records, {"modules": dict(modules)}, bad, part.deleted_ids)

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        if stream == "deal_contacts":
            for page in self.read(stream, None, ReadOptions(full=True)):
                yield from (r.remote_id for r in page.records)
            return
        for module in STREAM_MODULES[stream]:
            for part in self.modules.read(module, None, True, ReadOptions().lookback, None, ["id"]):
                yield from (str(r["id"]) for r in part.rows)


def _key(query: Mapping[str, Any]) -> bytes:
    return orjson.dumps(query, option=orjson.OPT_SORT_KEYS)
