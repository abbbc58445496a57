"""Writes: bulk ``PUT /{module}`` in batches of 100, and custom-field creation.

Each record gets its own result from Zoho's per-item ``{code, status, message, details}``
answer, in input order. A batch refused as a whole reports the reason on each of its
records; a quota stop propagates (the engine stops the source).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldSpec, FieldStatus, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorFatalError, QuotaExhausted, RetriableError
from connectors.zoho.catalog import FieldCatalog
from connectors.zoho.http import ZohoHttp

__all__ = ["ZohoWriter", "module_name"]

_MODULES = {
    "leads": "Leads",
    "contacts": "Contacts",
    "accounts": "Accounts",
    "deals": "Deals",
    "cases": "Cases",
    "tasks": "Tasks",
    "calls": "Calls",
    "events": "Events",
}
# Zoho data_type for each FieldSpec type (Zoho has no creatable percent type: use double)
_DATA_TYPES = {
    "text": "text",
    "number": "double",
    "currency": "currency",
    "percent": "double",
    "date": "date",
    "datetime": "datetime",
}
_RETRIABLE_CODES = {"RECORD_LOCKED", "DEPENDENT_SERVICE_ERROR", "INTERNAL_ERROR"}


def module_name(object_name: str) -> str:
    """A stream or module name -> the Zoho module's API name."""
    return _MODULES.get(object_name.lower(), object_name)


def _wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _item_error(item: Mapping[str, Any]) -> str:
    details = item.get("details") or {}
    where = details.get("api_name") if isinstance(details, dict) else None
    text = f"{item.get('code')}: {item.get('message')}"
    return f"{text} (field {where})" if where else text


class ZohoWriter:
    def __init__(self, http: ZohoHttp, catalog: FieldCatalog, batch_size: int) -> None:
        self.http = http
        self.catalog = catalog
        self.batch_size = batch_size

    def write(self, object_name: str, updates: Sequence[FieldUpdate]) -> list[WriteResult]:
        module = module_name(object_name)
        results: list[WriteResult] = []
        for start in range(0, len(updates), self.batch_size):
            batch = updates[start : start + self.batch_size]
            results.extend(self._batch(module, batch))
        return results

    def _batch(self, module: str, batch: Sequence[FieldUpdate]) -> list[WriteResult]:
        data = [{**{k: _wire(v) for k, v in u.values.items()}, "id": u.remote_id} for u in batch]
        try:
            response = self.http.api("PUT", f"/{module}", json={"data": data}, item_results=True)
        except QuotaExhausted:
            raise
        except RetriableError as exc:
            return [WriteResult(u.remote_id, False, exc.user_message, True) for u in batch]
        except ConnectorFatalError as exc:
            return [WriteResult(u.remote_id, False, exc.user_message) for u in batch]
        items = (response.body or {}).get("data") or []
        results = []
        for index, update in enumerate(batch):
            item = items[index] if index < len(items) else {}
            if item.get("status") == "success":
                results.append(WriteResult(update.remote_id, True))
            else:
                error = _item_error(item) if item else "Zoho returned no result for this record"
                retriable = item.get("code") in _RETRIABLE_CODES
                results.append(WriteResult(update.remote_id, False, error, retriable))
        return results

    def ensure_fields(
        self, object_name: str, fields: Sequence[FieldSpec], create: bool
    ) -> list[FieldStatus]:
        module = module_name(object_name)
        response = self.http.api("GET", "/settings/fields", params={"module": module})
        meta = (response.body or {}).get("fields") or []
        by_name = {f.get("api_name"): f for f in meta}
        by_label = {f.get("field_label"): f for f in meta}
        statuses: dict[str, FieldStatus] = {}
        missing: list[FieldSpec] = []
        for spec in fields:
            found = by_name.get(spec.name) or by_label.get(spec.label)
            if found is not None:
                statuses[spec.name] = FieldStatus(module, found["api_name"], True)
            elif create:
                missing.append(spec)
            else:
                statuses[spec.name] = FieldStatus(
                    module, spec.name, False, instructions=_instructions(module, spec)
                )
        if missing:
            statuses.update(self._create(module, missing))
        return [statuses[spec.name] for spec in fields]

    def _create(self, module: str, specs: list[FieldSpec]) -> dict[str, FieldStatus]:
        body = {
            "fields": [
                {"field_label": s.label, "data_type": _DATA_TYPES[s.type]}
                | ({"length": 255} if s.type == "text" else {})
                for s in specs
            ]
        }
        response = self.http.api(
            "POST", "/settings/fields", params={"module": module}, json=body, item_results=True
        )
        self.catalog.forget(module)
        items = (response.body or {}).get("fields") or []
        out = {}
        for index, spec in enumerate(specs):
            item = items[index] if index < len(items) else {}
            if item.get("status") == "success":
                api_name = (item.get("details") or {}).get("api_name") or spec.name
                out[spec.name] = FieldStatus(module, api_name, True, created=True)
            else:
                reason = _item_error(item) if item else "no result"
                out[spec.name] = FieldStatus(
                    module,
                    spec.name,
                    False,
                    instructions=f"creation failed ({reason}); " + _instructions(module, spec),
                )
        return out


def _instructions(module: str, spec: FieldSpec) -> str:
    return (
        f"In Zoho CRM open Setup > Customization > Modules and Fields > {module} > Layouts, "
        f"add a {_DATA_TYPES[spec.type]} field labelled {spec.label!r} (Zoho derives its "
        "API name from the label), or let crmsync create it (field creation allowed; "
        "scope ZohoCRM.settings.fields.CREATE)"
    )
