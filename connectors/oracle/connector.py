"""``OracleConnector``: Oracle Fusion Cloud Sales (CX Sales) through its REST API, version
11.13.18.05 (``/crmRestApi/resources/11.13.18.05/``).

Sign-in and HTTP in ``http.py`` (plain ``requests``: Oracle maintains no Python client for
it), reads in keyset order on ``LastUpdateDate`` (``reader.py``), the opportunities'
contact rows and revenue lines through ``expand`` (``OpportunityContact``, ``ChildRevenue``),
the team and the revenue lines' sales credits as ``deal_splits`` (``credits.py``),
write-back through batch requests (``writer.py``). Fusion has no
deleted-records feed: reads never report deletes, and ``list_ids`` is the light id scan
the pull compares with the store (``full_id_check_every``). Discovery and the
custom objects an admin maps (Application Composer's ``…_c`` resources) are in
``custom.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

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
from connectors.oracle import credits
from connectors.oracle.custom import CustomStreams, discover
from connectors.oracle.http import API_VERSION, OracleHttp
from connectors.oracle.mapping import OracleMapper
from connectors.oracle.profile import PROFILE
from connectors.oracle.reader import CHILD_IDS, CHILDREN, ResourceReader, child_fields
from connectors.oracle.settings import OracleSettings
from connectors.oracle.writer import OracleWriter

__all__ = ["STREAM_RESOURCES", "OracleConnector"]

STREAM_RESOURCES: dict[str, str] = {
    "users": "resourceUsers",
    "leads": "leads",
    "contacts": "contacts",
    "accounts": "accounts",
    "deals": "opportunities",
    "deal_contacts": "opportunities",
    "deal_products": "opportunities",
    "deal_splits": "opportunities",
    "activities": "activities",
    "cases": "serviceRequests",
}
WRITABLE = {"leads", "contacts", "accounts", "deals"}
_AUDIT = ("CreationDate", "LastUpdateDate", "CreatedBy")


class OracleConnector(HttpConnector[OracleSettings]):
    """Reads and writes one Fusion instance (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "oracle"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[OracleSettings]] = OracleSettings

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = OracleHttp(settings, self.session, self.budget, retry, name)
        self.mapper = OracleMapper(name, channels)
        self.reader = ResourceReader(self.http, settings.page_size)
        self.writer = OracleWriter(self.http, settings.write_batch_size)
        self.custom = CustomStreams(name, self.reader)

    def check(self) -> CheckResult:
        auth = self.settings.auth
        params: dict[str, Any] = {"onlyData": "true", "limit": 1, "fields": "Username"}
        if auth.flow == "basic":
            quoted = (auth.username or "").replace("'", "''")  # q doubles a quote inside one
            params["q"] = f"Username = '{quoted}'"
        try:
            with quick_calls(self.http):
                items = (self.http.call("GET", "resourceUsers", params=params) or {}).get("items")
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        who = auth.username if auth.flow == "basic" else f"the application {auth.client_id}"
        return CheckResult(
            True,
            f"connected to Oracle CX Sales at {self.settings.site_url} (REST {API_VERSION}) "
            f"as {who}",
            {"user": (items or [{}])[0].get("Username")},
        )

    def streams(self) -> list[StreamInfo]:
        standard = [
            StreamInfo(
                stream,
                STREAM_RECORD_TYPES[stream],
                _objects(stream, resource),
                writable=stream in WRITABLE,
            )
            for stream, resource in STREAM_RESOURCES.items()
        ]
        return [*standard, *self.custom.infos()]

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def server_time(self) -> datetime:
        """The Date header of a one-row read (the instance's clock)."""
        params = {"onlyData": "true", "limit": 1, "fields": "ResourcePartyId"}
        self.http.call("GET", "resourceUsers", params=params)
        if self.http.last_date is None:
            raise ConnectorFatalError("Oracle sent no Date header", source=self.name)
        return self.http.last_date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom.mappings:
            yield from self.custom.read(stream, state, options)
            return
        resource = STREAM_RESOURCES.get(stream)
        if resource is None:
            raise ConnectorFatalError(f"Oracle has no stream {stream!r}", source=self.name)
        saved = dict(state or {})
        if stream == "deal_splits":
            yield from self._read_splits(saved, options)
            return
        if stream in CHILDREN:
            child, names = CHILDREN[stream]
            for part in self.reader.read(
                resource,
                saved,
                options.full,
                options.lookback,
                options.signpost,
                expand=child,
                fields=child_fields(child, (*names, *_AUDIT)),
            ):
                rows = [c for opp in part.rows for c in self.reader.children_of(opp, child)]
                records, bad = self.mapper.map_rows(stream, child, rows)
                yield Page(stream, records, part.state, bad)
            return
        for part in self.reader.read(
            resource, saved, options.full, options.lookback, options.signpost
        ):
            records, bad = self.mapper.map_rows(stream, resource, part.rows)
            yield Page(stream, records, part.state, bad)

    def _read_splits(self, saved: dict[str, Any], options: ReadOptions) -> Iterator[Page]:
        """Team members and sales credits, read inline with the opportunities."""
        for part in self.reader.read(
            "opportunities",
            saved,
            options.full,
            options.lookback,
            options.signpost,
            expand=credits.EXPAND,
            fields=credits.fields(_AUDIT),
        ):
            team: list[dict[str, Any]] = []
            shares: list[dict[str, Any]] = []
            for opp in part.rows:
                members, rows = credits.credit_rows(self.reader, opp, self.reader.every_page)
                team += members
                shares += rows
            records, bad = self.mapper.map_rows("deal_splits", credits.TEAM, team)
            more, worse = self.mapper.map_rows("deal_splits", credits.SPLITS, shares)
            yield Page("deal_splits", records + more, part.state, bad + worse)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        resource = STREAM_RESOURCES[stream]
        if stream == "deal_splits":
            fields = credits.fields(ids_only=True)
            for part in self.reader.read(
                resource,
                None,
                True,
                ReadOptions().lookback,
                None,
                expand=credits.EXPAND,
                fields=fields,
            ):
                for opp in part.rows:
                    team, rows = credits.credit_rows(self.reader, opp, self.reader.every_page)
                    yield from (str(r["OptyResourceId"]) for r in team)
                    yield from (str(r["RevnId"]) for r in rows)
            return
        if stream in CHILDREN:
            child, key = CHILDREN[stream][0], CHILD_IDS[CHILDREN[stream][0]]
            fields = child_fields(child, (key,))
            options = ReadOptions()
            for part in self.reader.read(
                resource, None, True, options.lookback, None, expand=child, fields=fields
            ):
                for opp in part.rows:
                    yield from (str(c[key]) for c in self.reader.children_of(opp, child))
            return
        for ids in self.reader.ids(resource):
            yield from ids


def _objects(stream: str, resource: str) -> tuple[str, ...]:
    """The Fusion collections a stream reads."""
    if stream == "deal_splits":
        return (credits.TEAM, credits.LINES, credits.SPLITS)
    return (CHILDREN[stream][0],) if stream in CHILDREN else (resource,)
