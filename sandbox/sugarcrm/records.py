"""A SugarCRM record as REST v11 shows it, and Sugar's reading of filters and values.

- ``render``: a record's JSON: every field, ``deleted``, ``_acl`` (the user's field
  restrictions, ``{"fields": {}}`` for the API user, who may do everything) and ``_module``;
- ``matches`` and ``order``: a filter (a list of ANDed conditions with ``$equals``,
  ``$not_equals``, ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$in``, ``$and``/``$or``) and an
  ``order_by`` (``field:asc,field2:desc``);
- ``php_array``: PHP's reading of bracketed query parameters (``filter[0][name]=x``);
- ``typed``: a JSON value as the store keeps it for the field's type.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sandbox.schema import Field
from sandbox.store import Record, Table
from sandbox.sugarcrm.app import sugar_error

__all__ = ["ALWAYS", "matches", "order", "php_array", "render", "typed"]

# what a record of a list carries whatever ``fields`` asks for
ALWAYS = frozenset({"id", "date_modified", "_acl", "_module"})


def render(table: Table, row: Record) -> dict[str, Any]:
    """A record as Sugar's JSON shows it."""
    out: dict[str, Any] = {}
    for f in table.schema.fields:
        value = row.get(f.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif f.type == "currency" and value is not None:
            value = f"{value:.6f}"
        out[f.name] = value
    out["deleted"] = table.is_deleted(row["id"])
    # what the signed-in user may not do with the record's fields: nothing, for the API
    # user (an administrator), so Sugar sends an empty ``fields``
    out["_acl"] = {"fields": {}}
    out["_module"] = table.name
    return out


def _compare(value: Any, op: str, target: Any) -> bool:
    if op == "$equals":
        return bool(value == target)
    if op == "$not_equals":
        return bool(value != target)
    if op == "$in":
        return value in target
    if value is None or target is None:
        return False
    if op == "$gt":
        return bool(value > target)
    if op == "$gte":
        return bool(value >= target)
    if op == "$lt":
        return bool(value < target)
    if op == "$lte":
        return bool(value <= target)
    raise sugar_error(422, "invalid_parameter", f"Unknown filter operator {op}")


def matches(record: dict[str, Any], conditions: Any) -> bool:
    """Whether a rendered record passes a Sugar filter (a list of ANDed conditions)."""
    if not isinstance(conditions, list):
        raise sugar_error(422, "invalid_parameter", "filter must be a list")
    for condition in conditions:
        if not isinstance(condition, dict):
            raise sugar_error(422, "invalid_parameter", "each filter must be an object")
        for key, spec in condition.items():
            if key == "$and" and not matches(record, spec):
                return False
            if key == "$or" and not any(matches(record, [c]) for c in spec):
                return False
            if key in ("$and", "$or"):
                continue
            if key not in record:
                raise sugar_error(422, "invalid_parameter", f"Unknown field {key}")
            ops = spec if isinstance(spec, dict) else {"$equals": spec}
            if not all(_compare(record[key], op, t) for op, t in ops.items()):
                return False
    return True


def order(records: list[dict[str, Any]], order_by: str) -> None:
    for part in reversed([p for p in order_by.split(",") if p]):
        name, _, direction = part.partition(":")
        records.sort(
            key=lambda r: (r.get(name) is not None, r.get(name) or ""),
            reverse=direction.lower() == "desc",
        )


def php_array(params: dict[str, str], name: str) -> Any:
    """PHP's reading of ``name[0][field][$op]=value`` query parameters: nested arrays, the
    ones keyed 0, 1, ... as lists."""
    root: dict[str, Any] = {}
    for key, value in params.items():
        parts = re.findall(r"\[([^\]]*)\]", key[len(name) :])
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts:
            node[parts[-1]] = value

    def listed(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if node and all(k.isdigit() for k in node):
            return [listed(node[k]) for k in sorted(node, key=int)]
        return {k: listed(v) for k, v in node.items()}

    return listed(root) if root else []


def typed(f: Field, value: Any) -> Any:
    """A JSON value as the store keeps it for the field's type."""
    if value is None or value == "":
        return None
    try:
        if f.type in ("double", "currency", "percent"):
            return round(float(value), 6)
        if f.type == "int":
            return int(value)
        if f.type == "datetime":
            return datetime.fromisoformat(str(value))
        if f.type == "date":
            return date.fromisoformat(str(value)[:10])
        if f.type == "boolean":
            return bool(value)
    except (TypeError, ValueError) as exc:
        raise sugar_error(422, "invalid_parameter", f"Invalid value for {f.name}") from exc
    return str(value)
