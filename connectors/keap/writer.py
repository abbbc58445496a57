"""Write-back into Keap's custom fields, and the custom fields it writes.

A Keap custom field has a numeric id and a label; crmsync names its fields by label
(``crmsync_payout``). ``ensure_fields`` reads the object's model (``GET /<object>/model``)
and creates a missing field with ``POST /<object>/model/customFields`` when allowed, or
else says how to create it in Keap. An update is one ``PATCH /<object>/<id>`` with
``custom_fields: [{"id", "content"}]``: the REST API has no batch update, so each record
answers on its own (a 404 or 400 is that record's error; 429 and 5xx are retriable).
Contacts, companies and opportunities take custom fields; orders do not in REST v1, so
the profile declares the ``deals`` stream's orders unwritable: push leaves them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorError, RetriableError
from connectors.keap.http import KeapHttp
from connectors.keap.profile import PROFILE

__all__ = ["CUSTOM_FIELD_OBJECTS", "KeapWriter", "object_of"]

CUSTOM_FIELD_OBJECTS = ("contacts", "companies", "opportunities")
_TYPES = {
    "text": "Text",
    "number": "DecimalNumber",
    "currency": "Currency",
    "percent": "Percent",
    "date": "Date",
    "datetime": "DateTime",
}


def object_of(object_name: str) -> str:
    """The Keap object of a stream name (``deals``) or of an object name."""
    return PROFILE.object_names.get(object_name, object_name)


def _wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # Keap's number fields take JSON numbers
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class KeapWriter:
    def __init__(self, http: KeapHttp) -> None:
        self.http = http
        self._labels: dict[str, dict[str, int]] = {}  # object -> label -> field id

    def labels(self, obj: str, refresh: bool = False) -> dict[str, int]:
        """The object's custom fields, label -> id (one model call per object)."""
        if obj not in CUSTOM_FIELD_OBJECTS:
            return {}
        if refresh or obj not in self._labels:
            model = self.http.call("GET", f"{obj}/model") or {}
            self._labels[obj] = {
                str(f["label"]): int(f["id"]) for f in model.get("custom_fields") or []
            }
        return self._labels[obj]

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        obj = object_of(object_name)
        if obj not in CUSTOM_FIELD_OBJECTS:
            why = f"Keap's {obj} take no custom fields through the REST API"
            return [WriteResult(u.remote_id, False, why) for u in updates]
        try:
            ids = self.labels(obj)
        except ConnectorError as exc:
            retriable = isinstance(exc, RetriableError)
            return [WriteResult(u.remote_id, False, exc.user_message, retriable) for u in updates]
        return [
            WriteResult(u.remote_id, False, reason)
            if (reason := PROFILE.unwritable_reason(object_name, u.remote_id))
            else self._one(obj, ids, u)
            for u in updates
        ]

    def _one(self, obj: str, ids: dict[str, int], update: FieldUpdate) -> WriteResult:
        missing = sorted(k for k in update.values if k not in ids)
        if missing or not update.remote_id.isdigit():
            why = (
                f"Keap has no custom field labelled {', '.join(missing)} on {obj}"
                if missing
                else f"{update.remote_id} is no Keap {obj} id"
            )
            return WriteResult(update.remote_id, False, why)
        body = {
            "custom_fields": [{"id": ids[k], "content": _wire(v)} for k, v in update.values.items()]
        }
        try:
            self.http.call("PATCH", f"{obj}/{update.remote_id}", json=body)
        except ConnectorError as exc:
            retriable = isinstance(exc, RetriableError)
            return WriteResult(update.remote_id, False, exc.user_message, retriable)
        return WriteResult(update.remote_id, True)

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        obj = object_of(object_name)
        existing = self.labels(obj, refresh=True)
        statuses = []
        for spec in fields:
            if spec.name in existing:
                statuses.append(FieldStatus(obj, spec.name, True))
                continue
            if obj not in CUSTOM_FIELD_OBJECTS:
                why = f"Keap's {obj} take no custom fields through the REST API"
                statuses.append(FieldStatus(obj, spec.name, False, instructions=why))
                continue
            if create:
                body = {"label": spec.name, "field_type": _TYPES[spec.type]}
                made = self.http.call("POST", f"{obj}/model/customFields", json=body) or {}
                existing[spec.name] = int(made["id"])
                statuses.append(FieldStatus(obj, spec.name, True, created=True))
                continue
            how = (
                f"In Keap, Settings > {obj.capitalize()} > Custom fields > Add a field: type "
                f"{_TYPES[spec.type]}, label {spec.name} (crmsync finds it by this label); "
                "or let crmsync create it (create_fields: true)"
            )
            statuses.append(FieldStatus(obj, spec.name, False, instructions=how))
        return statuses
