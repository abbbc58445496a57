"""Turn an object plan into connector updates, in the API's batches, with sample payloads.

Each record's changed fields travel together in one update, so N changed records cost
``ceil(N / batch maximum)`` write calls (Salesforce sObject Collections 200, HubSpot batch
update 100, Zoho bulk update 100).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.hubspot.writer import OBJECT_NAMES
from connectors.salesforce.writer import sobject_name
from connectors.zoho.writer import module_name
from sync.push.results import ObjectPlan

__all__ = ["DEFAULT_BATCH", "batches", "sample_request", "to_updates", "wire_value"]

DEFAULT_BATCH = {"salesforce": 200, "hubspot": 100, "zoho": 100}
_NUMBERS = ("number", "currency", "percent")


def wire_value(value: str | None, kind: str) -> Decimal | str | None:
    """The value handed to the connector: ``Decimal`` for numbers, text otherwise."""
    if value is None:
        return None
    if kind in _NUMBERS:
        try:
            return Decimal(value)
        except ArithmeticError:
            return value  # not a number: the CRM rejects it for this record only
    return value


def to_updates(plan: ObjectPlan, fields: Mapping[str, tuple[str, str]]) -> list[FieldUpdate]:
    """One update per record; ``fields`` maps a target field to (API name, type)."""
    updates = []
    for rid, values in sorted(plan.records.items()):
        wired = {
            fields[name][0]: wire_value(value, fields[name][1])
            for name, value in sorted(values.items())
            if name in fields
        }
        if wired:
            updates.append(FieldUpdate(rid, wired))
    return updates


def batches(updates: Sequence[FieldUpdate], size: int) -> Iterator[Sequence[FieldUpdate]]:
    for start in range(0, len(updates), size):
        yield updates[start : start + size]


def _json(value: Any) -> Any:
    """A value as the connectors put it in JSON (Salesforce, Zoho: numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def sample_request(kind: str, obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The request a batch of ``updates`` becomes on the wire (for the dry run)."""
    if kind == "salesforce":
        sobject = sobject_name(obj)
        records = [
            {
                "attributes": {"type": sobject},
                **{k: _json(v) for k, v in u.values.items()},
                "Id": u.remote_id,
            }
            for u in updates
        ]
        return {
            "method": "PATCH",
            "path": "/services/data/vXX.X/composite/sobjects",
            "body": {"allOrNone": False, "records": records},
        }
    if kind == "hubspot":
        inputs = [
            {
                "id": u.remote_id,
                "properties": {k: "" if v is None else str(v) for k, v in u.values.items()},
            }
            for u in updates
        ]
        return {
            "method": "POST",
            "path": f"/crm/v3/objects/{OBJECT_NAMES.get(obj, obj)}/batch/update",
            "body": {"inputs": inputs},
        }
    if kind == "zoho":
        data = [
            {
                **{k: float(v) if isinstance(v, Decimal) else v for k, v in u.values.items()},
                "id": u.remote_id,
            }
            for u in updates
        ]
        return {"method": "PUT", "path": f"/crm/v8/{module_name(obj)}", "body": {"data": data}}
    return {
        "method": "write",
        "path": f"{kind} {obj}",
        "body": [
            {"id": u.remote_id, "values": {k: _json(v) for k, v in u.values.items()}}
            for u in updates
        ],
    }
