"""Write-back: custom columns created through the metadata API, values through ``$batch``.

A column crmsync needs is looked up on the table (``Attributes(LogicalName=...)``) and,
when allowed, created with the publisher prefix (``crmsync_incentive`` on the default
publisher ``crmsync``). Values go as one ``PATCH`` per row inside ``$batch`` requests of
up to ``write_batch_size`` (1,000, Dataverse's cap), with ``Prefer:
odata.continue-on-error`` so that one failing row does not stop the others, and
``If-Match`` with the row's ETag as last synced (``FieldUpdate.version``): a row changed in
Dynamics since answers 412 and is reported as a conflict, not overwritten. Without a
version it is ``If-Match: *``, so an unknown id still fails with 404 instead of creating a
row (a Dataverse PATCH is an upsert). Each part's answer becomes that row's result, in
order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import orjson

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorError
from connectors.dynamics.entities import WRITABLE
from connectors.dynamics.http import DynamicsHttp
from connectors.dynamics.metadata import TableMetadata
from connectors.dynamics.profile import ENTITY_SETS, wire

__all__ = ["DynamicsWriter", "table_name"]

_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "number": ("DecimalAttributeMetadata", {"Precision": 2, "MinValue": -1e11, "MaxValue": 1e11}),
    "percent": ("DecimalAttributeMetadata", {"Precision": 2, "MinValue": -1e11, "MaxValue": 1e11}),
    "currency": ("MoneyAttributeMetadata", {"Precision": 2, "PrecisionSource": 2}),
    "text": ("StringAttributeMetadata", {"MaxLength": 4000}),
    "date": ("DateTimeAttributeMetadata", {"Format": "DateOnly"}),
    "datetime": ("DateTimeAttributeMetadata", {"Format": "DateAndTime"}),
}
_CONFLICT = (
    "conflict: the record changed in Dynamics since the last sync (HTTP 412, its ETag "
    "moved); run a sync, then push again"
)
_STATUS = re.compile(rb"HTTP/1\.1 (\d{3})")
_ERROR = re.compile(rb'"message"\s*:\s*"((?:[^"\\]|\\.)*)"')


def table_name(obj: str) -> str:
    """A stream name (``deals``) or a table's logical name (``opportunity``) -> the table."""
    return WRITABLE.get(obj, obj)


def _label(text: str) -> dict[str, object]:
    localized = {
        "@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel",
        "Label": text,
        "LanguageCode": 1033,
    }
    return {"@odata.type": "Microsoft.Dynamics.CRM.Label", "LocalizedLabels": [localized]}


class DynamicsWriter:
    def __init__(self, http: DynamicsHttp, metadata: TableMetadata, batch_size: int) -> None:
        self.http = http
        self.metadata = metadata
        self.batch_size = batch_size
        self.prefix = metadata.prefix

    def column(self, name: str) -> str:
        lowered = name.lower()
        return lowered if lowered.startswith(self.prefix) else f"{self.prefix}{lowered}"

    def ensure_fields(
        self, obj: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        table = table_name(obj)
        out = []
        for spec in fields:
            column = self.column(spec.name)
            path = f"EntityDefinitions(LogicalName='{table}')/Attributes(LogicalName='{column}')"
            found = self.http.call(
                "GET", path, params={"$select": "LogicalName"}, allow_missing=True
            )
            if found.status != 404:
                out.append(FieldStatus(obj, column, True))
                continue
            kind, extra = _TYPES[spec.type]
            if not create:
                out.append(
                    FieldStatus(
                        obj,
                        column,
                        False,
                        instructions=(
                            f"In Power Apps, add a {kind.removesuffix('AttributeMetadata')} column "
                            f"'{spec.label}' with schema name {column} to the {table} table "
                            f"(publisher prefix {self.prefix.rstrip('_')}), or allow crmsync to "
                            "create it"
                        ),
                    )
                )
                continue
            body = {
                "@odata.type": f"Microsoft.Dynamics.CRM.{kind}",
                "SchemaName": column,
                "DisplayName": _label(spec.label),
                "Description": _label("Written by crmsync"),
                "RequiredLevel": {"Value": "None", "CanBeChanged": True},
                **extra,
            }
            self.http.call(
                "POST", f"EntityDefinitions(LogicalName='{table}')/Attributes", json=body
            )
            self.metadata.forget(table)
            out.append(FieldStatus(obj, column, True, created=True))
        return out

    def write(self, obj: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        table = table_name(obj)
        entity_set = ENTITY_SETS.get(table, table)
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.batch_size):
            chunk = updates[start : start + self.batch_size]
            try:
                results += self._batch(entity_set, chunk)
            except ConnectorError as exc:
                results += [
                    WriteResult(u.remote_id, False, exc.user_message, retriable=True) for u in chunk
                ]
        return results

    def _batch(self, entity_set: str, chunk: Sequence[FieldUpdate]) -> list[WriteResult]:
        boundary = f"batch_{uuid.uuid4()}"
        parts = []
        for i, update in enumerate(chunk):
            body = {k: wire(v) for k, v in update.values.items()}
            parts.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-Transfer-Encoding: binary\r\nContent-ID: {i + 1}\r\n\r\n"
                f"PATCH {self.http.root}{entity_set}({update.remote_id}) HTTP/1.1\r\n"
                f"Content-Type: application/json\r\nIf-Match: {update.version or '*'}\r\n\r\n"
                f"{orjson.dumps(body).decode()}\r\n"
            )
        payload = ("".join(parts) + f"--{boundary}--\r\n").encode()
        response = self.http.call(
            "POST",
            "$batch",
            data=payload,
            headers={
                "Content-Type": f"multipart/mixed; boundary={boundary}",
                "Prefer": "odata.continue-on-error",
            },
        )
        answers = _parts(response.headers.get("Content-Type", ""), response.content)
        results = []
        for i, update in enumerate(chunk):
            if i >= len(answers):
                results.append(WriteResult(update.remote_id, False, "not run", retriable=True))
                continue
            status, text = answers[i]
            ok = 200 <= status < 300
            if status == 412:  # the row's ETag moved: changed in Dynamics since our read
                results.append(WriteResult(update.remote_id, False, _CONFLICT, conflict=True))
                continue
            retriable = status == 429 or status >= 500
            results.append(
                WriteResult(
                    update.remote_id, ok, None if ok else f"HTTP {status}: {text}", retriable
                )
            )
        return results


def _parts(content_type: str, content: bytes) -> list[tuple[int, str]]:
    """(status, error message) of each answer in a $batch response, in order."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + content
    )
    out = []
    for part in message.walk():
        if part.get_content_type() != "application/http":
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        status = _STATUS.search(raw)
        error = _ERROR.search(raw)
        out.append(
            (int(status.group(1)) if status else 500, error.group(1).decode() if error else "")
        )
    return out
