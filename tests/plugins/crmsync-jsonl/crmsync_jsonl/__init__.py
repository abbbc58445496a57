"""A minimal crmsync connector plugin: contacts read from a JSON-lines file.

It exists to show (and test) that a connector installed as its own package, registered in
the ``crmsync.connectors`` entry-point group, works without touching crmsync's code.
Each line of ``<directory>/contacts.jsonl`` is ``{"id", "email", "first_name",
"last_name", "updated_at"}``; a line without ``id`` is quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from connectors.core import (
    ApiUsage,
    CheckResult,
    CrmProfile,
    FieldSpec,
    FieldStatus,
    FieldUpdate,
    Page,
    Quarantined,
    ReadOptions,
    StreamInfo,
    WriteResult,
)
from connectors.core.records import Contact

__all__ = ["JsonlConnector", "JsonlSettings"]


class JsonlSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    directory: Path


class JsonlConnector:
    kind: ClassVar[str] = "jsonl"
    settings_model: ClassVar[type[BaseModel]] = JsonlSettings
    # What the rest of crmsync may know about this "CRM": its one object, and the field of
    # a line that names who created it.
    profile: ClassVar[CrmProfile] = CrmProfile(
        kind="jsonl",
        object_names={"contacts": "contacts"},
        creator_field=("created_by",),
        required_fields={"contacts": ("email", "last_name")},
        lead_streams=("contacts",),
    )

    def __init__(self, name: str, settings: JsonlSettings, **_: Any) -> None:
        self.name = name
        self.file = settings.directory / "contacts.jsonl"

    def check(self) -> CheckResult:
        found = self.file.exists()
        return CheckResult(found, f"{self.file} {'found' if found else 'is missing'}")

    def streams(self) -> list[StreamInfo]:
        return [StreamInfo("contacts", "contact", ("contacts.jsonl",), detects_deletes=False)]

    def server_time(self) -> datetime:
        return datetime.now(UTC)

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        records, quarantined = [], []
        for line in self.file.read_text().splitlines():
            raw = json.loads(line)
            if "id" not in raw:
                quarantined.append(Quarantined(None, "line has no id", raw))
                continue
            records.append(
                Contact(
                    source=self.name,
                    remote_id=str(raw["id"]),
                    email=raw.get("email"),
                    first_name=raw.get("first_name"),
                    last_name=raw.get("last_name"),
                    remote_updated_at=datetime.fromisoformat(raw["updated_at"]),
                    raw=raw,
                )
            )
        yield Page(stream, records, {"lines": len(records)}, quarantined, api_calls=1)

    def list_ids(self, stream: str) -> Iterator[str]:
        for line in self.file.read_text().splitlines():
            raw = json.loads(line)
            if "id" in raw:
                yield str(raw["id"])

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        return [WriteResult(u.remote_id, False, "this connector is read-only") for u in updates]

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        return [
            FieldStatus(object_name, f.name, False, instructions="read-only source") for f in fields
        ]

    def api_usage(self) -> ApiUsage:
        return ApiUsage(calls=0)

    def close(self) -> None:
        return None
