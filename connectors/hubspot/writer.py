"""Field updates in batches of 100 (``batch_api.update``) and custom properties.

A 207 answer names the inputs that failed; a 400 rejects the whole batch, so the batch
is split in halves until the bad inputs are isolated (extra calls only when something is
wrong). Retriable failures that outlast the retry policy come back as ``retriable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import (
    ConnectorFatalError,
    QuotaExhausted,
    RetriableError,
    SkippableRecordError,
)
from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp

__all__ = ["OBJECT_NAMES", "HubSpotWriter", "object_type"]

OBJECT_NAMES = {
    "contacts": "contacts",
    "accounts": "companies",
    "companies": "companies",
    "deals": "deals",
    "cases": "tickets",
    "tickets": "tickets",
}
_GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "tickets": "ticketinformation",
}
_TYPES = {
    "text": ("string", "text"),
    "number": ("number", "number"),
    "currency": ("number", "number"),
    "percent": ("number", "number"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
}


def object_type(name: str) -> str:
    """The HubSpot object type for a stream or object name."""
    try:
        return OBJECT_NAMES[name]
    except KeyError:
        raise ConnectorFatalError(
            f"HubSpot cannot write {name!r}: use one of {', '.join(sorted(OBJECT_NAMES))}"
        ) from None


def _wire(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | Decimal):
        return str(value)
    return str(value)


class HubSpotWriter:
    def __init__(self, http: HubSpotHttp, apis: Apis, batch_size: int) -> None:
        self.http = http
        self.apis = apis
        self.batch_size = batch_size

    def write(self, name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        kind = object_type(name)
        results: dict[int, WriteResult] = {}
        indexed = list(enumerate(updates))
        for start in range(0, len(indexed), self.batch_size):
            self._batch(kind, indexed[start : start + self.batch_size], results)
        return [results[i] for i in range(len(updates))]

    def _batch(
        self, kind: str, items: list[tuple[int, FieldUpdate]], out: dict[int, WriteResult]
    ) -> None:
        body = {
            "inputs": [
                {"id": u.remote_id, "properties": {k: _wire(v) for k, v in u.values.items()}}
                for _, u in items
            ]
        }
        try:
            response = self.http.call(self.apis.batch.update, kind, body)
        except SkippableRecordError as exc:
            if len(items) == 1:
                index, update = items[0]
                out[index] = WriteResult(update.remote_id, False, exc.user_message)
                return
            half = len(items) // 2
            self._batch(kind, items[:half], out)
            self._batch(kind, items[half:], out)
            return
        except QuotaExhausted:
            raise
        except RetriableError as exc:
            for index, update in items:
                out[index] = WriteResult(update.remote_id, False, exc.user_message, True)
            return
        failed: dict[str, str] = {}
        for error in (response.body or {}).get("errors") or ():
            message = str(error.get("message") or error.get("category") or "failed")
            for rid in (error.get("context") or {}).get("ids") or ():
                failed[str(rid)] = message
        for index, update in items:
            reason = failed.get(update.remote_id)
            out[index] = WriteResult(update.remote_id, reason is None, reason)

    def ensure_fields(
        self, name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        kind = object_type(name)
        body = self.http.call(self.apis.properties.get_all, kind).body or {}
        existing = {p.get("name") for p in body.get("results") or ()}
        out = []
        for spec in fields:
            if spec.name in existing:
                out.append(FieldStatus(kind, spec.name, exists=True))
                continue
            hs_type, field_type = _TYPES[spec.type]
            if not create:
                out.append(
                    FieldStatus(
                        kind,
                        spec.name,
                        exists=False,
                        instructions=(
                            f"In HubSpot, Settings > Properties > {kind}: create property "
                            f"'{spec.label}' (internal name {spec.name}, type {hs_type}, "
                            f"field type {field_type}), or run with field creation allowed"
                        ),
                    )
                )
                continue
            from hubspot.crm.properties import PropertyCreate  # loaded on use (start-up)

            prop = PropertyCreate(
                name=spec.name,
                label=spec.label,
                type=hs_type,
                field_type=field_type,
                group_name=_GROUPS.get(kind, "engagement"),
                description="Written by crmsync",
            )
            self.http.call(self.apis.properties.create, kind, prop)
            out.append(FieldStatus(kind, spec.name, exists=True, created=True))
        return out
