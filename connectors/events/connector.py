"""The events connector: digital touches (Segment / RudderStack messages) as one stream.

It reads ``events`` from a directory of JSON-lines exports (``connectors.events.files``),
incrementally by file and byte offset, and maps each message with
``connectors.events.spec``. The store keys events on their ``messageId``, so an export read
twice, or a message sent twice, is one record. A message that is not a valid event is
quarantined with its file, line and reason, and the rest of the page is kept. The
connector is read-only: it has nothing to write back.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.core.channels import UTM_CHANNELS, ChannelMap
from connectors.core.contract import (
    ApiUsage,
    CheckResult,
    FieldSpec,
    FieldStatus,
    FieldUpdate,
    Page,
    Quarantined,
    ReadOptions,
    StreamInfo,
    WriteResult,
)
from connectors.core.errors import ConnectorConfigError
from connectors.core.profile import CrmProfile
from connectors.core.records import CommonRecord
from connectors.events.files import Line, read_lines
from connectors.events.spec import EventRefused, parse_event

__all__ = ["EVENTS_PROFILE", "EventsConnector", "EventsSettings"]

EVENTS_PROFILE = CrmProfile(
    kind="events", object_names={"events": "events"}, channels={"utm": dict(UTM_CHANNELS)}
)


class EventsSettings(BaseModel):
    """Where the exports are, and the limits of one event."""

    model_config = ConfigDict(extra="forbid")
    directory: Path = Field(description="Directory of JSON-lines exports, one message a line.")
    pattern: str = Field("*.jsonl", description="Which files of the directory are exports.")
    max_event_bytes: int = Field(
        32_768, gt=0, description="A longer line is quarantined unread (Segment's limit: 32 KB)."
    )
    page_size: int = Field(5_000, gt=0, description="Lines per page (one transaction).")
    write_key: SecretStr | None = Field(
        None,
        description="Key senders of `crmsync events serve` authenticate with (Basic or "
        "Bearer); write it as ${VARIABLE}, never in the file.",
    )
    max_batch_bytes: int = Field(
        512_000, gt=0, description="A larger POST /v1/batch body is refused with 413."
    )


class EventsConnector:
    """Digital events from JSON-lines exports, through the connector contract."""

    kind: ClassVar[str] = "events"
    settings_model: ClassVar[type[BaseModel]] = EventsSettings
    profile: ClassVar[CrmProfile] = EVENTS_PROFILE

    def __init__(
        self,
        name: str,
        settings: EventsSettings,
        *,
        channels: ChannelMap | None = None,
        **_: Any,
    ) -> None:
        self.name = name
        self.settings = settings
        self.channels = channels or ChannelMap(EVENTS_PROFILE)
        self._channel_cache: dict[tuple[str | None, str | None], str | None] = {}
        self._calls = 0

    def check(self) -> CheckResult:
        directory = self.settings.directory
        if not directory.is_dir():
            return CheckResult(False, f"{directory} is not a directory: create it or fix the path")
        files = sum(1 for p in directory.glob(self.settings.pattern) if p.is_file())
        return CheckResult(True, f"{directory}: {files} export file(s)", {"files": files})

    def streams(self) -> list[StreamInfo]:
        # events are never deleted at the source, nor changed: a message id is one message
        pattern = (self.settings.pattern,)
        return [StreamInfo("events", "event", pattern, detects_deletes=False, append_only=True)]

    def server_time(self) -> datetime:
        return datetime.now(UTC)  # files have no clock of their own

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        """Pages of events after the cursor ``{"files": {name: [offset, lines]}}``."""
        if stream != "events":
            raise ValueError(f"the events connector has no stream {stream!r}")
        offsets = {} if options.full else dict((state or {}).get("files", {}))
        size = options.page_size or self.settings.page_size
        directory, limit = self.settings.directory, self.settings.max_event_bytes
        lines = read_lines(directory, self.settings.pattern, offsets, limit)
        while True:
            records, quarantined, count = self._take(lines, offsets, size)
            if count == size:
                yield self._page(records, quarantined, offsets)
                continue
            if count or not state:
                yield self._page(records, quarantined, offsets)
            return

    def _take(
        self, lines: Iterator[Line], offsets: dict[str, Any], size: int
    ) -> tuple[list[CommonRecord], list[Quarantined], int]:
        """The events of the next ``size`` lines (fewer at the end), the quarantined ones
        and how many lines were read. The cyclic garbage collector is paused meanwhile: a
        page is tens of thousands of small acyclic objects (decoded messages and their
        events) that it would otherwise scan again and again, while reference counting
        frees them all the same."""
        records: list[CommonRecord] = []
        quarantined: list[Quarantined] = []
        count = 0
        enabled = gc.isenabled()
        gc.disable()
        try:
            for line in lines:
                offsets[line.file] = [line.end, line.number]
                count += 1
                if line.problem is not None:
                    quarantined.append(Quarantined(None, line.problem, line.message))
                elif line.message is not None:
                    try:
                        event = parse_event(
                            self.name, line.message, self.channels, self._channel_cache
                        )
                        records.append(event)
                    except EventRefused as exc:
                        where = f"{line.file} line {line.number}: {exc}"
                        message_id = _message_id(line.message)
                        quarantined.append(Quarantined(message_id, where, line.message))
                if count >= size:
                    break
        finally:
            if enabled:
                gc.enable()
        return records, quarantined, count

    def _page(
        self, records: list[CommonRecord], quarantined: list[Quarantined], offsets: dict[str, Any]
    ) -> Page:
        self._calls += 1
        state = {"files": {name: list(at) for name, at in sorted(offsets.items())}}
        return Page("events", records, state, quarantined, api_calls=1)

    def list_ids(self, stream: str) -> Iterator[str]:
        """Every message id in the exports: events are facts, never deleted at the source."""
        limit = self.settings.max_event_bytes
        for line in read_lines(self.settings.directory, self.settings.pattern, {}, limit):
            message = line.message
            if line.problem is None and isinstance(message, dict):
                message_id = _message_id(message)
                if message_id:
                    yield message_id

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        return [WriteResult(u.remote_id, False, "events are read-only") for u in updates]

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        return [
            FieldStatus(object_name, f.name, False, instructions="events are read-only")
            for f in fields
        ]

    def api_usage(self) -> ApiUsage:
        return ApiUsage(calls=self._calls)

    def close(self) -> None:
        return None

    def has_endpoint(self) -> bool:
        """Whether this source serves ``POST /v1/batch`` (it has a write key)."""
        key = self.settings.write_key
        return key is not None and bool(key.get_secret_value())

    def accepts(self, authorization: str) -> bool:
        """Whether an ``Authorization`` header carries this source's write key (a server
        of several sources routes a batch to the source whose key it carries)."""
        from connectors.events.auth import authorised

        key = self.settings.write_key
        return key is not None and authorised(authorization, key.get_secret_value())

    def ingest_app(self) -> Any:
        """The Starlette app of ``POST /v1/batch`` (``connectors.events.http``), spooling
        into this source's directory; needs ``write_key``."""
        from connectors.events.http import ingest_app

        key = self.settings.write_key
        if key is None or not key.get_secret_value():
            raise ConnectorConfigError(
                f"source {self.name!r}: set write_key (as ${{VARIABLE}}) to serve its endpoint"
            )
        return ingest_app(
            self.settings.directory,
            key.get_secret_value(),
            max_batch_bytes=self.settings.max_batch_bytes,
            max_event_bytes=self.settings.max_event_bytes,
            channels=self.channels,
        )


def _message_id(message: Any) -> str | None:
    if not isinstance(message, dict):
        return None
    value = message.get("messageId")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
