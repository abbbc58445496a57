"""``DynamicsConnector``: Dynamics 365 Sales through the Dataverse Web API (v9.2).

Tokens from Entra ID through MSAL (client credentials), HTTP through ``requests`` (see
``http.py`` for why not Microsoft's Dataverse client), reads with change tracking
(``reader.py``), write-back through ``$batch`` (``writer.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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
    Page,
    ReadOptions,
    StreamInfo,
    WriteResult,
)
from connectors.core.errors import ConnectorError, ConnectorFatalError
from connectors.core.http import pinned_session, quick_calls
from connectors.core.profile import CrmProfile
from connectors.core.retry import RetryPolicy
from connectors.dynamics.auth import DynamicsTokenSource
from connectors.dynamics.entities import STREAM_TABLES, WRITABLE, TableRead
from connectors.dynamics.http import DynamicsHttp
from connectors.dynamics.mapping import DynamicsMapper
from connectors.dynamics.metadata import TableMetadata
from connectors.dynamics.profile import PROFILE
from connectors.dynamics.reader import TableReader
from connectors.dynamics.settings import DynamicsSettings
from connectors.dynamics.writer import DynamicsWriter

__all__ = ["DynamicsConnector"]

# streams whose rows are derived from another table's: a deleted row may be no record
_DERIVED = {"deal_contacts"}


class DynamicsConnector:
    """Reads and writes one Dataverse environment (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "dynamics"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[DynamicsSettings]] = DynamicsSettings

    def __init__(
        self,
        name: str,
        settings: DynamicsSettings,
        *,
        channels: ChannelMap | None = None,
        quota: QuotaBudget | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._own_session = session is None
        self.session = session or pinned_session(settings.ca_bundle, user_agent="crmsync")
        self.budget = quota or QuotaBudget(source=name)
        self.http = DynamicsHttp(settings, self.session, self.budget, retry or RetryPolicy(), name)
        self.tokens = DynamicsTokenSource(settings, self.session, name)
        self.http.tokens = self.tokens
        self.metadata = TableMetadata(self.http, settings.publisher_prefix)
        self.mapper = DynamicsMapper(
            name, channels or ChannelMap(PROFILE), self.metadata.choices, settings.publisher_prefix
        )
        self.reader = TableReader(self.http, settings.page_size)
        self.writer = DynamicsWriter(self.http, self.metadata, settings.write_batch_size)

    # -- contract ----------------------------------------------------------------------

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                body = self.http.call("GET", "WhoAmI").body or {}
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        return CheckResult(
            True,
            f"connected to Dynamics 365 at {self.settings.environment_url} as application "
            f"user {body.get('UserId')}",
            {"organization_id": body.get("OrganizationId"), "user_id": body.get("UserId")},
        )

    def streams(self) -> list[StreamInfo]:
        return [
            StreamInfo(
                stream,
                STREAM_RECORD_TYPES[stream],
                tuple(t.logical for t in tables),
                writable=stream in WRITABLE,
            )
            for stream, tables in STREAM_TABLES.items()
        ]

    def server_time(self) -> datetime:
        """The Date header of a WhoAmI call (the environment's clock)."""
        self.http.call("GET", "WhoAmI")
        if self.http.last_date is None:
            raise ConnectorFatalError("Dataverse sent no Date header", source=self.name)
        return self.http.last_date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream not in STREAM_TABLES:
            raise ConnectorFatalError(f"Dynamics has no stream {stream!r}", source=self.name)
        tables: dict[str, Any] = dict((state or {}).get("tables") or {})
        for table in STREAM_TABLES[stream]:
            select = self._select(stream, table, refresh=options.full)
            for part in self.reader.read(table, select, tables.get(table.entity_set), options.full):
                records, bad = self.mapper.map_rows(
                    stream, table.logical, table.id_field, part.rows
                )
                tables[table.entity_set] = part.state
                yield Page(stream, records, {"tables": dict(tables)}, bad, part.deleted_ids)

    def list_ids(self, stream: str) -> Iterator[str]:
        for table in STREAM_TABLES[stream]:
            if stream in _DERIVED:
                select = self._select(stream, table)
                for part in self.reader.read(table, select, None, True):
                    records, _ = self.mapper.map_rows(
                        stream, table.logical, table.id_field, part.rows
                    )
                    yield from (r.remote_id for r in records)
                continue
            yield from self.reader.list_ids(table)

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        return self.writer.write(object_name, updates)

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        return self.writer.ensure_fields(object_name, fields, create)

    def api_usage(self) -> ApiUsage:
        return ApiUsage(self.budget.calls, self.budget.used, self.budget.limit)

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    # -- helpers -------------------------------------------------------------------------

    def _select(self, stream: str, table: TableRead, refresh: bool = False) -> str:
        columns = list(table.columns)
        if stream in WRITABLE:  # custom columns written back are read back
            columns += self.metadata.custom_columns(table.logical, refresh=refresh)
        return ",".join(columns)
