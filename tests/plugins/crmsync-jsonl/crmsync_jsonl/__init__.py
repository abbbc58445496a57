"""A minimal crmsync connector plugin: contacts read from a JSON-lines file.

It exists to show (and test) that a connector installed as its own package, registered in
the ``crmsync.connectors`` entry-point group, works without touching crmsync's code.
Each line of ``<directory>/contacts.jsonl`` is ``{"id", "email", "first_name",
"last_name", "updated_at"}``; a line without ``id`` is quarantined. Every other
``<name>.jsonl`` file is a custom object ``<name>`` (its fields: the keys of its lines):
``discover`` lists it, and a mapping in the YAML reads it as one more stream.
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
from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import CustomRecordMapper, RowMeta, parse_time
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord, Contact

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
        self.directory = settings.directory
        self.file = settings.directory / "contacts.jsonl"
        self.custom: dict[str, CustomObjectMapping] = {}

    def check(self) -> CheckResult:
        found = self.file.exists()
        return CheckResult(found, f"{self.file} {'found' if found else 'is missing'}")

    def streams(self) -> list[StreamInfo]:
        custom = [
            StreamInfo(name, m.record_type, (f"{m.object}.jsonl",), id_prefix=f"{m.object}/")
            for name, m in self.custom.items()
        ]
        return [StreamInfo("contacts", "contact", ("contacts.jsonl",), detects_deletes=False)] + (
            custom
        )

    def discover(self, only: Any = None) -> list[ObjectInfo]:  # every file is cheap
        found = []
        for path in sorted(self.directory.glob("*.jsonl")):
            keys: dict[str, None] = {}
            for line in path.read_text().splitlines():
                keys.update(dict.fromkeys(json.loads(line)))
            fields = tuple(FieldInfo(k, "string") for k in keys)
            cursor = "updated_at" if "updated_at" in keys else None
            custom = path.stem != "contacts"
            found.append(ObjectInfo(path.stem, path.stem, custom, fields, cursor))
        return found

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        self.custom.update({m.stream_name: m for m in mappings})

    def server_time(self) -> datetime:
        return datetime.now(UTC)

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        if stream in self.custom:
            yield self._custom_page(stream)
            return
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

    def _custom_page(self, stream: str) -> Page:
        mapping = self.custom[stream]
        mapper = CustomRecordMapper(self.name, mapping)
        records: list[CommonRecord] = []
        quarantined = []
        for line in (self.directory / f"{mapping.object}.jsonl").read_text().splitlines():
            raw = json.loads(line)
            rid = f"{mapping.object}/{raw.get('id')}"
            try:
                updated = parse_time(raw.get("updated_at"))
                records.append(mapper.map(raw, RowMeta(rid, updated, updated)))
            except ValueError as exc:
                quarantined.append(Quarantined(rid, str(exc), raw))
        return Page(stream, records, {"lines": len(records)}, quarantined, api_calls=1)

    def list_ids(self, stream: str) -> Iterator[str]:
        if stream in self.custom:
            path = self.directory / f"{self.custom[stream].object}.jsonl"
            for line in path.read_text().splitlines():
                yield f"{self.custom[stream].object}/{json.loads(line)['id']}"
            return
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
