"""Write-back through Fusion's batch requests, and the custom fields it writes.

An item's path names its number (``opportunities/{OptyNumber}``), not its id: a batch
first looks the numbers up (``q=OptyId in (...)``, one call for up to 500 ids), then sends
one ``update`` part per record in ``POST /crmRestApi/resources/11.13.18.05/``
(``application/vnd.oracle.adf.batch+json``). Fusion runs a batch all or none: when a part
fails, nothing is applied and the answer lists only the failed parts. Those fail alone
(a 404 or 400 is that record's error, a 429 or 5xx makes it retriable) and the rest goes
again, so one bad record costs one more call, not the batch.

Custom fields end in ``_c``. The REST API cannot create them: ``ensure_fields`` reads
the resource's attributes (``GET <resource>/describe``) and, for a missing one, says how
to create it in Application Composer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorError, RetriableError
from connectors.oracle.http import BATCH_TYPE, OracleHttp, error_detail
from connectors.oracle.profile import PROFILE, wire
from connectors.oracle.reader import ID_FIELDS

__all__ = ["NUMBER_FIELDS", "OracleWriter", "resource_of"]

NUMBER_FIELDS = {
    "leads": "LeadNumber",
    "contacts": "PartyNumber",
    "accounts": "PartyNumber",
    "opportunities": "OptyNumber",
    "activities": "ActivityNumber",
    "serviceRequests": "SrNumber",
}
_TYPES = {
    "text": "Text",
    "number": "Number",
    "currency": "Currency",
    "percent": "Percentage",
    "date": "Date",
    "datetime": "Date Time",
}
_LABELS = {
    "leads": "Sales Lead",
    "contacts": "Contact",
    "accounts": "Account",
    "opportunities": "Opportunity",
    "activities": "Activity",
    "serviceRequests": "Service Request",
}


def resource_of(object_name: str) -> str:
    """The resource of a stream name (``deals``) or of a resource name (``opportunities``)."""
    return PROFILE.object_names.get(object_name, object_name)


class OracleWriter:
    def __init__(self, http: OracleHttp, batch_size: int) -> None:
        self.http = http
        self.batch_size = batch_size

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        resource = resource_of(object_name)
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.batch_size):
            results += self._batch(resource, updates[start : start + self.batch_size])
        return results

    def _numbers(self, resource: str, ids: list[str]) -> dict[str, str]:
        key, number = ID_FIELDS[resource], NUMBER_FIELDS[resource]
        if not ids:
            return {}
        params = {
            "q": f"{key} in ({', '.join(ids)})",
            "fields": f"{key},{number}",
            "onlyData": "true",
            "limit": 500,
        }
        answer = self.http.call("GET", resource, params=params) or {}
        return {str(r[key]): str(r[number]) for r in answer.get("items") or []}

    def _batch(self, resource: str, batch: Sequence[FieldUpdate]) -> list[WriteResult]:
        if resource not in NUMBER_FIELDS:
            return [WriteResult(u.remote_id, False, f"{resource} is not writable") for u in batch]
        done: dict[int, WriteResult] = {}
        numeric = [u.remote_id for u in batch if u.remote_id.isdigit()]
        try:
            numbers = self._numbers(resource, sorted(set(numeric)))
        except ConnectorError as exc:
            retriable = isinstance(exc, RetriableError)
            return [WriteResult(u.remote_id, False, exc.user_message, retriable) for u in batch]
        pending: dict[str, tuple[int, FieldUpdate, str]] = {}
        for index, update in enumerate(batch):
            found = numbers.get(update.remote_id)
            if found is None:
                error = f"Oracle has no {resource} record {update.remote_id}"
                done[index] = WriteResult(update.remote_id, False, error)
            else:
                pending[f"part{index}"] = (index, update, found)
        while pending:
            parts = [
                {
                    "id": part_id,
                    "path": f"/{resource}/{number}",
                    "operation": "update",
                    "payload": {k: wire(v) for k, v in update.values.items()},
                }
                for part_id, (_, update, number) in pending.items()
            ]
            try:
                answer = (
                    self.http.call("POST", "", json={"parts": parts}, content_type=BATCH_TYPE) or {}
                )
            except ConnectorError as exc:
                retriable = isinstance(exc, RetriableError)
                for index, update, _ in pending.values():
                    done[index] = WriteResult(update.remote_id, False, exc.user_message, retriable)
                break
            failed = self._failed(answer, pending)
            if not failed:
                for index, update, _ in pending.values():
                    done[index] = WriteResult(update.remote_id, True)
                break
            for part_id, result in failed.items():
                done[pending.pop(part_id)[0]] = result
        return [done[i] for i in range(len(batch))]

    @staticmethod
    def _failed(
        answer: dict[str, Any], pending: dict[str, tuple[int, FieldUpdate, str]]
    ) -> dict[str, WriteResult]:
        """The parts an all-or-none batch answer reports failed, with their results."""
        failed = {}
        for part in answer.get("parts") or []:
            payload = part.get("payload") or {}
            status = int(payload.get("status") or 0) if isinstance(payload, dict) else 0
            if part.get("id") not in pending or status < 400:
                continue
            update = pending[part["id"]][1]
            detail = error_detail(orjson.dumps(payload))
            error = f"Oracle answered {status}: {detail}"
            failed[part["id"]] = WriteResult(
                update.remote_id, False, error, status == 429 or status >= 500
            )
        return failed

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        resource = resource_of(object_name)
        answer = self.http.call("GET", f"{resource}/describe") or {}
        described = ((answer.get("Resources") or {}).get(resource) or {}).get("attributes") or []
        existing = {str(a.get("name")) for a in described}
        statuses = []
        for spec in fields:
            name = PROFILE.custom_field_name(spec.name)
            if name in existing:
                statuses.append(FieldStatus(resource, name, True))
                continue
            how = (
                f"In Oracle, Application Composer > Objects > Standard Objects > "
                f"{_LABELS.get(resource, resource)} > Fields > Create: type "
                f"{_TYPES[spec.type]}, display label {spec.label!r}, name "
                f"{name.removesuffix('_c')} (Oracle adds _c); then publish the sandbox. "
                "Oracle's REST API cannot create fields"
            )
            statuses.append(FieldStatus(resource, name, False, instructions=how))
        return statuses
