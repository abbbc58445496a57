"""``KeapConnector``: Keap (formerly Infusionsoft) through its REST API v1.

It speaks REST v1 (``https://api.infusionsoft.com/crm/rest/v1/``): v1 has the ``since`` /
``until`` filters on contacts, tasks, appointments and orders that incremental reads need,
the custom-field model endpoints, and every object crmsync reads. REST v2 (``filter=`` and
``page_token`` paging) serves the incremental reads of companies (``since_time`` filter)
and opportunities (``update_time`` order), which v1 cannot read by date. Plain
``requests`` (``http.py``): Keap maintains no official Python client. Sign-in is the OAuth 2
refresh-token grant with rotating refresh tokens (``tokens.py``), reads are offset-paged
lists, token-paged on v2 (``reader.py``), write-back goes into custom fields one record per
call (``writer.py``). Keap has no custom objects: discovery lists its record lists, and an
admin's mapping reads one of them in place of its standard stream (``custom.py``).
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
from connectors.keap.custom import CustomStreams, discover
from connectors.keap.http import KeapHttp
from connectors.keap.mapping import KeapMapper, remote_id
from connectors.keap.profile import PROFILE
from connectors.keap.reader import ObjectReader
from connectors.keap.settings import KeapSettings
from connectors.keap.writer import KeapWriter

__all__ = ["STREAM_OBJECTS", "KeapConnector"]

STREAM_OBJECTS: dict[str, tuple[str, ...]] = {
    "users": ("users",),
    "contacts": ("contacts",),
    "accounts": ("companies",),
    "deals": ("opportunities", "orders"),
    "activities": ("notes", "tasks", "appointments"),
}
WRITABLE = {"contacts", "accounts", "deals"}


class KeapConnector(HttpConnector[KeapSettings]):
    """Reads and writes one Keap account (see ``connectors.core.contract``)."""

    kind: ClassVar[str] = "keap"
    profile: ClassVar[CrmProfile] = PROFILE
    settings_model: ClassVar[type[KeapSettings]] = KeapSettings
    writer: KeapWriter

    def _build(self, channels: ChannelMap, retry: RetryPolicy) -> None:
        settings, name = self.settings, self.name
        self.http = KeapHttp(settings, self.session, self.budget, retry, name)
        self.mapper = KeapMapper(name, channels, settings.currency)
        self.objects = ObjectReader(self.http, settings.page_size)
        self.writer = KeapWriter(self.http)
        self.custom = CustomStreams(name, self.objects, self._labels)

    def check(self) -> CheckResult:
        try:
            with quick_calls(self.http):
                user = self.http.call("GET", "oauth/connect/userinfo") or {}
        except ConnectorError as exc:
            return CheckResult(False, exc.user_message)
        return CheckResult(
            True,
            f"connected to Keap account {user.get('infusionsoft_id')} as {user.get('email')}",
            {"user_id": user.get("global_user_id")},
        )

    def _objects(self, stream: str) -> tuple[str, ...]:
        """The stream's lists that no admin's mapping reads instead."""
        taken = self.custom.objects
        return tuple(o for o in STREAM_OBJECTS[stream] if o not in taken)

    def streams(self) -> list[StreamInfo]:
        standard = [
            StreamInfo(
                stream,
                STREAM_RECORD_TYPES[stream],
                self._objects(stream),
                detects_deletes=False,  # Keap deletes for good and lists no deletes
                writable=stream in WRITABLE,
            )
            for stream in STREAM_OBJECTS
            if self._objects(stream)
        ]
        return [*standard, *self.custom.infos()]

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        return discover(self.http, only)

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.add(mappings)

    def server_time(self) -> datetime:
        """The Date header of a small call (Keap's clock)."""
        self.http.call("GET", "oauth/connect/userinfo")
        if self.http.last_date is None:
            raise ConnectorFatalError("Keap sent no Date header", source=self.name)
        return self.http.last_date

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom.mappings:
            yield from self.custom.read(stream, state, options)
            return
        if stream not in STREAM_OBJECTS:
            raise ConnectorFatalError(f"Keap has no stream {stream!r}", source=self.name)
        objects: dict[str, Any] = dict((state or {}).get("objects") or {})
        for obj in self._objects(stream):
            for part in self.objects.read(
                obj, objects.get(obj), options.full, options.lookback, options.signpost
            ):
                labels = self._labels(obj, part.rows)
                records, bad = self.mapper.map_rows(stream, obj, part.rows, labels)
                objects[obj] = part.state
                yield Page(stream, records, {"objects": dict(objects)}, bad)

    def _labels(self, obj: str, rows: list[dict[str, Any]]) -> dict[int, str]:
        """Custom field id -> label, read from the model only when a row has fields."""
        wanted = {int(c["id"]) for r in rows for c in r.get("custom_fields") or [] if "id" in c}
        if not wanted:
            return {}
        found = {i: label for label, i in self.writer.labels(obj).items()}
        if wanted - set(found):  # a field made since the model was read
            found = {i: label for label, i in self.writer.labels(obj, refresh=True).items()}
        return found

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom.mappings:
            yield from self.custom.list_ids(stream)
            return
        lookback = ReadOptions().lookback
        for obj in self._objects(stream):
            for part in self.objects.read(obj, None, True, lookback, None):
                yield from (remote_id(obj, row) for row in part.rows)
