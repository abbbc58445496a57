"""The Salesforce connector: simple-salesforce over OAuth, SOQL queryAll windows, Bulk 2.0,
sObject Collections writes and Tooling API custom fields."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from connectors.core.base import HttpConnector
from connectors.core.channels import ChannelMap
from connectors.core.contract import (
    CheckResult,
    Page,
    ReadOptions,
    StreamInfo,
)
from connectors.core.custom import CustomObjectMapping
from connectors.core.discovery import ObjectInfo
from connectors.core.errors import ConnectorError
from connectors.core.http import quick_calls
from connectors.core.profile import CrmProfile
from connectors.core.rates import ExchangeRate
from connectors.core.retry import RetryPolicy
from connectors.salesforce.auth import SalesforceTokenSource
from connectors.salesforce.custom import CustomStreams, discover
from connectors.salesforce.describe import FieldCatalog
from connectors.salesforce.history import HISTORY_OBJECTS, HistoryReader
from connectors.salesforce.http import SalesforceHttp
from connectors.salesforce.mapping import RecordMapper
from connectors.salesforce.profile import PROFILE
from connectors.salesforce.rates import read_exchange_rates
from connectors.salesforce.reader import STREAMS, StreamReader
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.writer import SalesforceWriter

__all__ = ["SalesforceConnector"]

# field history (connectors.salesforce.history): read on CreatedDate, never deleted
_HISTORY_STREAM = StreamInfo(
    name="history",
    record_type="field_change",
    remote_objects=tuple(HISTORY_OBJECTS),
    incremental=True,
    detects_deletes=False,
    append_only=True,
)
_WRITABLE = {"users", "leads", "contacts", "accounts", "deals", "cases"}


class SalesforceConnector(HttpConnector[SalesforceSettings]):
    """Reads and writes one Salesforce org (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "salesforce"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[SalesforceSettings]] = SalesforceSettings

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = SalesforceHttp(settings, self.session, self.budget, retry, source=name)
        self.tokens = SalesforceTokenSource(settings, self.http)
        self.http.tokens = self.tokens
        self.catalog = FieldCatalog(self.http)
        self.mapper = RecordMapper(name, channels)
        self.reader = StreamReader(self.http, self.catalog, self.mapper)
        self.writer = SalesforceWriter(self.http, self.catalog)
        self.custom = CustomStreams(name, self.http, self.catalog)
        self.history = HistoryReader(self.http, name)

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                timeout = self.http.request_timeout
                limits = self.http.call("limits", lambda sf: sf.limits(timeout=timeout))
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        daily = (limits or {}).get("DailyApiRequests") or {}
        details: dict[str, Any] = {
            "instance_url": self.tokens.current().instance_url,
            "daily_api_max": daily.get("Max"),
            "daily_api_remaining": daily.get("Remaining"),
        }
        return CheckResult(
            True, f"connected to Salesforce as flow {self.settings.auth.flow}", details
        )

    def streams(self) -> list[StreamInfo]:
        return (
            [
                StreamInfo(
                    name=name,
                    record_type=record_type,
                    remote_objects=objects,
                    incremental=True,
                    detects_deletes=objects != ("User",),
                    writable=name in _WRITABLE,
                )
                for name, (record_type, objects) in STREAMS.items()
            ]
            + [_HISTORY_STREAM]
            + self.custom.infos()
        )

    def server_time(self) -> datetime:
        return self.http.server_time()

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom.mappings:
            return self.custom.read(stream, state, options)
        if stream == "history":
            return self.history.read(state, options)
        return self.reader.read(stream, state, options)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            return self.custom.list_ids(stream)
        if stream == "history":
            return iter(())  # history rows are never deleted: nothing to compare
        return self.reader.list_ids(stream)

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def exchange_rates(self) -> list[ExchangeRate]:
        """The org's dated exchange rates (advanced currency management)."""
        return read_exchange_rates(self.http)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)
