"""Writes: sObject Collections updates (200 per call) and custom fields via the Tooling API."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorFatalError, RetriableError
from connectors.salesforce.describe import FieldCatalog
from connectors.salesforce.http import SalesforceHttp

__all__ = [
    "FIELD_METADATA",
    "SOBJECTS",
    "SalesforceWriter",
    "custom_field_name",
    "sobject_name",
    "wire_value",
]

# FieldSpec.type -> Tooling API CustomField metadata
FIELD_METADATA: dict[str, dict[str, Any]] = {
    "text": {"type": "Text", "length": 255},
    "number": {"type": "Number", "precision": 18, "scale": 2},
    "currency": {"type": "Currency", "precision": 18, "scale": 2},
    "percent": {"type": "Percent", "precision": 5, "scale": 2},
    "date": {"type": "Date"},
    "datetime": {"type": "DateTime"},
}
# stream names -> sObject names (an sObject name is used as it is)
SOBJECTS = {
    "deals": "Opportunity",
    "contacts": "Contact",
    "accounts": "Account",
    "users": "User",
    "leads": "Lead",
    "cases": "Case",
}
# save errors worth trying again later (row locks, transient platform errors)
_RETRIABLE_CODES = {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG"}
_FLS = (
    "grant field-level security on it (Setup > Object Manager > {obj} > Fields > {name} > "
    "Set Field-Level Security, or a permission set) to the integration user's profile"
)


def custom_field_name(name: str) -> str:
    """The API name of a custom field: ``crmsync_bonus`` -> ``crmsync_bonus__c``."""
    return name if name.endswith("__c") else f"{name}__c"


def sobject_name(object_name: str) -> str:
    """The sObject for a stream name (``deals`` -> ``Opportunity``) or an sObject name."""
    return SOBJECTS.get(object_name, object_name)


def wire_value(value: Any) -> Any:
    """A value as it goes out in JSON."""
    # JSON has no decimal type: a Decimal goes out as the number it is (int when whole)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _error_text(errors: Sequence[dict[str, Any]]) -> tuple[str, bool]:
    codes = [str(e.get("statusCode") or e.get("errorCode") or "ERROR") for e in errors]
    text = "; ".join(
        f"{code}: {e.get('message', '')}".strip() for code, e in zip(codes, errors, strict=True)
    )
    return text or "unknown error", bool(codes) and all(c in _RETRIABLE_CODES for c in codes)


class SalesforceWriter:
    """Batched field updates with one result per record, and custom field set-up."""

    def __init__(self, http: SalesforceHttp, catalog: FieldCatalog) -> None:
        self.http = http
        self.catalog = catalog

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        object_name = sobject_name(object_name)
        size = self.http.settings.write_batch_size
        results: list[WriteResult] = []
        for start in range(0, len(updates), size):
            results.extend(self._batch(object_name, updates[start : start + size]))
        return results

    def _batch(self, object_name: str, batch: Sequence[FieldUpdate]) -> list[WriteResult]:
        records = [
            {
                "attributes": {"type": object_name},
                **{k: wire_value(v) for k, v in u.values.items()},
                "Id": u.remote_id,
            }
            for u in batch
        ]
        body = {"allOrNone": False, "records": records}
        try:
            answer = self.http.call(
                f"update {object_name}",
                lambda sf: sf.restful(
                    "composite/sobjects",
                    method="PATCH",
                    json=body,
                    timeout=self.http.settings.timeout_s,
                ),
            )
        except RetriableError as exc:  # retries used up: report, the caller retries later
            return [WriteResult(u.remote_id, False, exc.user_message, True) for u in batch]
        except ConnectorFatalError as exc:
            if exc.status != 400:  # quota, access: stop, not per-record failures
                raise
            return [WriteResult(u.remote_id, False, exc.user_message, False) for u in batch]
        items = answer if isinstance(answer, list) else []
        results = []
        for position, update in enumerate(batch):
            item = items[position] if position < len(items) else None
            if item is None:
                results.append(WriteResult(update.remote_id, False, "no result returned", True))
            elif item.get("success"):
                results.append(WriteResult(update.remote_id, True))
            else:
                text, retriable = _error_text(item.get("errors") or [])
                results.append(WriteResult(update.remote_id, False, text, retriable))
        return results

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        object_name = sobject_name(object_name)
        self.catalog.forget(object_name)
        known = self.catalog.get(object_name)
        statuses: list[FieldStatus] = []
        for spec in fields:
            name = custom_field_name(spec.name)
            meta = FIELD_METADATA[spec.type]
            if known.has(name):
                statuses.append(FieldStatus(object_name, name, exists=True))
            elif not create:
                shape = ", ".join(f"{k}={v}" for k, v in meta.items())
                statuses.append(
                    FieldStatus(
                        object_name,
                        name,
                        exists=False,
                        instructions=(
                            f"Create custom field {object_name}.{name} (label {spec.label!r}, "
                            f"{shape}) in Setup > Object Manager > {object_name} > Fields, "
                            f"then {_FLS.format(obj=object_name, name=name)}"
                        ),
                    )
                )
            else:
                self._create(object_name, name, spec, meta)
                statuses.append(
                    FieldStatus(
                        object_name,
                        name,
                        exists=True,
                        created=True,
                        instructions=(
                            f"Created {object_name}.{name}; "
                            f"{_FLS.format(obj=object_name, name=name)}"
                        ),
                    )
                )
        self.catalog.forget(object_name)
        return statuses

    def _create(self, object_name: str, name: str, spec: FieldSpec, meta: dict[str, Any]) -> None:
        body = {"FullName": f"{object_name}.{name}", "Metadata": {"label": spec.label, **meta}}
        self.http.call(
            f"create field {object_name}.{name}",
            lambda sf: sf.restful(
                "tooling/sobjects/CustomField",
                method="POST",
                json=body,
                timeout=self.http.settings.timeout_s,
            ),
        )
