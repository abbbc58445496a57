"""Sugar's filter language as the emulator reads it: conditions (``$equals``,
``$not_equals``, ``$in``, ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$and``/``$or`` groups),
``order_by`` (``field:asc,field2:desc``), and PHP's reading of bracketed query parameters
(``filter[0][field][$op]=value``) for a filter sent in a GET."""

from __future__ import annotations

import re
from typing import Any

from sandbox.sugarcrm.app import sugar_error

__all__ = ["matches", "order", "php_array"]


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
