"""Search filters compiled to predicates, typed by the property's type.

Datetime and date filter values are epoch milliseconds (strings or numbers), as HubSpot
expects; an ISO string there is a 400. Strings compare case-insensitively.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.hubspot.errors import bad_request, validation_error
from sandbox.schema import ObjectSchema

__all__ = ["MAX_FILTERS", "MAX_GROUPS", "MAX_PER_GROUP", "Predicate", "compile_groups", "sort_key"]

MAX_GROUPS = 5
MAX_PER_GROUP = 10
MAX_FILTERS = 25

Predicate = Callable[[dict[str, Any]], bool]
_NUMERIC = {"int", "double", "currency", "percent"}
_TOKEN_SPLIT = re.compile(r"[^\w@.\-]+")


def _epoch_ms(value: Any) -> float:
    if isinstance(value, bool):
        raise bad_request()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    raise bad_request()


def comparable(field_type: str, value: Any) -> Any:
    """A stored value as the search compares it (None stays None)."""
    if value is None:
        return None
    if field_type == "datetime":
        return value.timestamp() * 1000 if isinstance(value, datetime) else None
    if field_type == "date":
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000
        return None
    if field_type in _NUMERIC:
        return float(value)
    if field_type == "boolean":
        return bool(value)
    return str(value).lower()


def _operand(field_type: str, value: Any) -> Any:
    """A filter value converted to the property's comparison domain."""
    if value is None:
        raise bad_request()
    if field_type in ("datetime", "date"):
        return _epoch_ms(value)
    if field_type in _NUMERIC:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request() from None
    if field_type == "boolean":
        return str(value).strip().lower() == "true"
    return str(value).lower()


def _tokens(text: str) -> set[str]:
    parts = {p for p in _TOKEN_SPLIT.split(text) if p}
    for part in list(parts):
        parts.update(p for p in re.split(r"[@.\-]", part) if p)
        if "@" in part:  # an email's domain is a token of its own
            parts.add(part.rsplit("@", 1)[1])
    parts.add(text)
    return parts


def _contains_token(stored: Any, wanted: str) -> bool:
    if stored is None:
        return False
    tokens = _tokens(str(stored))
    if "*" in wanted:
        return any(fnmatch.fnmatchcase(t, wanted) for t in tokens)
    return wanted in tokens


def _compile(schema: ObjectSchema, spec: Any) -> Predicate:
    if not isinstance(spec, dict) or "propertyName" not in spec or "operator" not in spec:
        raise bad_request()
    name, op = str(spec["propertyName"]), str(spec["operator"]).upper()
    field = schema.field(name)
    ftype = field.type if field is not None else "string"
    if name == "hs_object_id":
        ftype = "int"

    def get(record: dict[str, Any]) -> Any:
        raw = record["id"] if name == "hs_object_id" else record.get(name)
        if field is None and name != "hs_object_id":
            return None
        return comparable(ftype, raw)

    if op == "HAS_PROPERTY":
        return lambda r: get(r) not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return lambda r: get(r) in (None, "")
    if op in ("IN", "NOT_IN"):
        values = spec.get("values")
        if not isinstance(values, list):
            raise bad_request()
        wanted = {_operand(ftype, v) for v in values}
        if op == "IN":
            return lambda r: get(r) in wanted
        return lambda r: get(r) is not None and get(r) not in wanted
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = str(spec.get("value", "")).lower()
        if op == "CONTAINS_TOKEN":
            return lambda r: _contains_token(get(r), token)
        return lambda r: not _contains_token(get(r), token)
    if op == "BETWEEN":
        low, high = _operand(ftype, spec.get("value")), _operand(ftype, spec.get("highValue"))
        return lambda r: (v := get(r)) is not None and low <= v <= high
    value = _operand(ftype, spec.get("value"))
    tests: dict[str, Callable[[Any], bool]] = {
        "EQ": lambda v: v == value,
        "NEQ": lambda v: v != value,
        "LT": lambda v: v < value,
        "LTE": lambda v: v <= value,
        "GT": lambda v: v > value,
        "GTE": lambda v: v >= value,
    }
    test = tests.get(op)
    if test is None:
        raise bad_request()
    if op == "NEQ":
        return lambda r: (v := get(r)) is None or test(v)
    return lambda r: (v := get(r)) is not None and test(v)


def compile_groups(schema: ObjectSchema, groups: Any) -> Predicate | None:
    """OR of groups, AND within a group; None when there are no filters."""
    if groups in (None, []):
        return None
    if not isinstance(groups, list):
        raise bad_request()
    if len(groups) > MAX_GROUPS:
        raise validation_error(
            f"Too many filter groups ({len(groups)}). The maximum is {MAX_GROUPS}."
        )
    compiled: list[list[Predicate]] = []
    total = 0
    for group in groups:
        filters = group.get("filters", []) if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise bad_request()
        if len(filters) > MAX_PER_GROUP:
            raise validation_error(
                f"Too many filters in a group ({len(filters)}). The maximum is {MAX_PER_GROUP}."
            )
        total += len(filters)
        compiled.append([_compile(schema, f) for f in filters])
    if total > MAX_FILTERS:
        raise validation_error(f"Too many filters ({total}). The maximum is {MAX_FILTERS}.")
    return lambda r: any(all(p(r) for p in group) for group in compiled)


def sort_key(schema: ObjectSchema, name: str) -> Callable[[dict[str, Any]], Any]:
    """Key for sorting by a property: (missing?, value) so nulls go last ascending."""
    field = schema.field(name)
    if name == "hs_object_id" or field is None:
        if name == "hs_object_id":
            return lambda r: (False, int(r["id"]))
        return lambda r: (True, 0)
    ftype = field.type

    def key(record: dict[str, Any]) -> Any:
        value = comparable(ftype, record.get(name))
        return (value is None, value if value is not None else 0)

    return key
