"""Turn an object plan into connector updates, in the API's batches, with sample payloads.

Each record's changed fields travel together in one update, so N changed records cost
``ceil(N / batch maximum)`` write calls; the batch maximum is the connector profile's
``write_batch_size``, and the request a batch becomes is its ``write_request``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.registry import profile_of
from sync.push.results import ObjectPlan

__all__ = ["batches", "sample_request", "to_updates", "wire_value"]

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
            updates.append(FieldUpdate(rid, wired, plan.versions.get(rid)))
    return updates


def batches(updates: Sequence[FieldUpdate], size: int) -> Iterator[Sequence[FieldUpdate]]:
    for start in range(0, len(updates), size):
        yield updates[start : start + size]


def _json(value: Any) -> Any:
    """A value as a JSON number where it is one."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def sample_request(kind: str, obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The request a batch of ``updates`` becomes on the wire (for the dry run)."""
    describe = profile_of(kind).write_request
    if describe is not None:
        return describe(obj, updates)
    return {
        "method": "write",
        "path": f"{kind} {obj}",
        "body": [
            {"id": u.remote_id, "values": {k: _json(v) for k, v in u.values.items()}}
            for u in updates
        ],
    }
