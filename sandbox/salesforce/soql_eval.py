"""Compiling a parsed SOQL ``Query`` against the sandbox tables, and running it.

``compile_query`` resolves every field path case-insensitively (relationship hops through
reference fields, polymorphic ``Who``/``What`` by id key prefix), turns the WHERE tree
into one predicate closure over stored records, and returns a ``Plan`` whose ``run``
materialises the ordered result once. Literals are checked against field types the way
Salesforce does, so type mismatches fail at compile time, not per row.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sandbox.salesforce.errors import sf_error
from sandbox.salesforce.schema import KEY_PREFIXES
from sandbox.salesforce.soql import (
    And,
    Compare,
    DateLiteral,
    Not,
    Or,
    Path,
    Query,
    caret_message,
    date_range,
)
from sandbox.schema import Field
from sandbox.store import Record, Table

__all__ = ["MAX_OFFSET", "Plan", "Resolved", "Resolver", "Step", "compile_query"]

MAX_OFFSET = 2000
PREFIX_TO_OBJECT = {prefix: name for name, prefix in KEY_PREFIXES.items()}
_NUMERIC = frozenset({"int", "double", "currency", "percent"})
_IDS = frozenset({"id", "reference"})
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NO_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom "
    "field, be sure to append the '__c' after the custom field name. Please reference your "
    "WSDL or the describe call for the appropriate names."
)
_NO_RELATION = (
    "Didn't understand relationship '{name}' in field path. If you are attempting to use a "
    "custom relationship, be sure to append the '__r' after the custom relationship name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True)
class Step:
    """One relationship hop: the reference field and the objects it may point to."""

    ref_field: str
    targets: tuple[str, ...]
    relationship: str


@dataclass(frozen=True)
class Resolved:
    """A field path resolved against the schemas (canonical names)."""

    steps: tuple[Step, ...]
    field: Field

    @property
    def dotted(self) -> str:
        return ".".join([s.relationship for s in self.steps] + [self.field.name])


class Resolver:
    """Looks up records across the tables of one org."""

    def __init__(self, tables: dict[str, Table]) -> None:
        self.tables = tables

    def parent(self, record: Record, step: Step) -> tuple[str, Record] | None:
        rid = record.get(step.ref_field)
        if not rid:
            return None
        if len(step.targets) == 1:
            obj = step.targets[0]
        else:
            obj = PREFIX_TO_OBJECT.get(rid[:3], "")
            if obj not in step.targets:
                return None
        table = self.tables.get(obj)
        found = table.rows.get(rid) if table is not None else None
        return None if found is None else (obj, found)

    def getter(self, resolved: Resolved, object_name: str) -> Callable[[Record], Any]:
        name = resolved.field.name
        if not resolved.steps:
            return self._own_getter(object_name, name)
        steps = resolved.steps
        parent = self.parent

        def get(record: Record) -> Any:
            obj = object_name
            for step in steps:
                hop = parent(record, step)
                if hop is None:
                    return None
                obj, record = hop
            if name == "IsDeleted":
                return record["Id"] in self.tables[obj].deleted_at
            return record.get(name)

        return get

    def _own_getter(self, object_name: str, name: str) -> Callable[[Record], Any]:
        if name == "IsDeleted":
            deleted = self.tables[object_name].deleted_at
            return lambda r: r["Id"] in deleted
        return lambda r: r.get(name)


@dataclass
class Plan:
    """A compiled query: run it to get the ordered, limited list of stored records."""

    query: Query
    table: Table
    select: list[Resolved]
    predicate: Callable[[Record], bool] | None
    order: list[tuple[Callable[[Record], Any], bool, bool]]

    @property
    def object_name(self) -> str:
        return self.table.name

    def run(self, include_deleted: bool) -> list[Record]:
        source = self.table.all() if include_deleted else self.table.live()
        pred = self.predicate
        rows = [r for r in source if pred(r)] if pred is not None else list(source)
        for get, descending, nulls_first in reversed(self.order):
            present = [r for r in rows if get(r) is not None]
            missing = [r for r in rows if get(r) is None]
            present.sort(key=get, reverse=descending)
            rows = missing + present if nulls_first else present + missing
        start = self.query.offset or 0
        end = None if self.query.limit is None else start + self.query.limit
        return rows[start:end] if start or end is not None else rows


def compile_query(query: Query, tables: dict[str, Table], today: date) -> Plan:
    """Resolve ``query`` against ``tables``; raises ``EmulatorError`` like Salesforce."""
    table = _table_ci(tables, query.object_name)
    if table is None:
        raise _query_error(
            query,
            query.object_pos,
            "INVALID_TYPE",
            f"sObject type '{query.object_name}' is not supported. If you are attempting to "
            "use a custom object, be sure to append the '__c' after the entity name. Please "
            "reference your WSDL or the describe call for the appropriate names.",
        )
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise sf_error(
            400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}"
        )
    resolver = Resolver(tables)
    obj = table.name
    select = [resolve(query, tables, obj, path) for path in query.fields]
    predicate = None
    if query.where is not None:
        predicate = _predicate(query, tables, resolver, obj, query.where, today)
    order = []
    for item in query.order:
        resolved = resolve(query, tables, obj, item.path)
        get = resolver.getter(resolved, obj)
        if resolved.field.type not in _IDS:  # text sorts ignore case; ids sort as stored
            get = _case_blind(get)
        order.append((get, item.descending, item.nulls_first))
    return Plan(query, table, select, predicate, order)


def resolve(query: Query, tables: dict[str, Table], obj: str, path: Path) -> Resolved:
    """Resolve one dotted path from object ``obj``."""
    objects: tuple[str, ...] = (obj,)
    steps: list[Step] = []
    parts = path.parts
    if len(parts) > 1 and parts[0].lower() == obj.lower():
        parts = parts[1:]  # "Lead.Name" qualifies with the queried object
    for part in parts[:-1]:
        ref = _find(tables, objects, lambda s, p=part: _by_relationship(s, p))
        if ref is None:
            raise _query_error(query, path.pos, "INVALID_FIELD", _NO_RELATION.format(name=part))
        steps.append(Step(ref.name, ref.ref, ref.relationship or ref.name))
        objects = ref.ref
    last = parts[-1]
    found = _find(tables, objects, lambda s: s.field_ci(last))
    if found is None:
        message = _NO_COLUMN.format(name=last, entity=objects[0])
        raise _query_error(query, path.pos, "INVALID_FIELD", message)
    return Resolved(tuple(steps), found)


def _find(tables: dict[str, Table], objects: tuple[str, ...], pick: Callable) -> Field | None:
    for name in objects:
        table = tables.get(name)
        found = pick(table.schema) if table is not None else None
        if found is not None:
            return found
    return None


def _by_relationship(schema: Any, name: str) -> Field | None:
    lowered = name.lower()
    for f in schema.fields:
        if f.type == "reference" and (f.relationship or "").lower() == lowered:
            return f
    return None


def _table_ci(tables: dict[str, Table], name: str) -> Table | None:
    lowered = name.lower()
    return next((t for n, t in tables.items() if n.lower() == lowered), None)


def _query_error(query: Query, pos: int, code: str, detail: str) -> Exception:
    return sf_error(400, code, caret_message(query.text, pos, detail))


def _predicate(
    query: Query, tables: dict[str, Table], resolver: Resolver, obj: str, node: Any, today: date
) -> Callable[[Record], bool]:
    def sub(child: Any) -> Callable[[Record], bool]:
        return _predicate(query, tables, resolver, obj, child, today)

    if isinstance(node, And):
        parts = [sub(i) for i in node.items]
        return lambda r: all(p(r) for p in parts)
    if isinstance(node, Or):
        parts = [sub(i) for i in node.items]
        return lambda r: any(p(r) for p in parts)
    if isinstance(node, Not):
        inner = sub(node.item)
        return lambda r: not inner(r)
    assert isinstance(node, Compare)
    resolved = resolve(query, tables, obj, node.path)
    getter = resolver.getter(resolved, obj)
    return _comparison(query, node, resolved.field, getter, today)


def _comparison(
    query: Query, node: Compare, field: Field, get: Callable[[Record], Any], today: date
) -> Callable[[Record], bool]:
    op, value = node.op, node.value
    norm = _normaliser(field)
    if op == "LIKE":
        regex = _like_regex(value)
        return lambda r: (v := get(r)) is not None and regex.fullmatch(str(v)) is not None
    if op in ("IN", "NOT IN"):
        wanted = {norm(_coerce(query, node, field, v)) for v in value if v is not None}
        if op == "IN":
            return lambda r: (v := get(r)) is not None and norm(v) in wanted
        return lambda r: (v := get(r)) is None or norm(v) not in wanted
    if value is None:
        if op == "=":
            return lambda r: get(r) is None
        if op == "!=":
            return lambda r: get(r) is not None
        raise _query_error(query, node.path.pos, "MALFORMED_QUERY", "invalid operator on null")
    if isinstance(value, DateLiteral):
        return _range_comparison(query, node, field, get, today)
    target = norm(_coerce(query, node, field, value))
    if op == "=":
        return lambda r: (v := get(r)) is not None and norm(v) == target
    if op == "!=":
        return lambda r: (v := get(r)) is None or norm(v) != target
    fn = _OPS[op]
    return lambda r: (v := get(r)) is not None and fn(norm(v), target)


def _range_comparison(
    query: Query, node: Compare, field: Field, get: Callable[[Record], Any], today: date
) -> Callable[[Record], bool]:
    start, end = date_range(node.value, today)
    lo: Any
    hi: Any
    if field.type == "datetime":
        lo, hi = (datetime.combine(d, time(), tzinfo=UTC) for d in (start, end))
    elif field.type == "date":
        lo, hi = start, end
    else:
        raise _type_error(query, node, field)
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: lo <= v < hi,
        "!=": lambda v: not lo <= v < hi,
        "<": lambda v: v < lo,
        "<=": lambda v: v < hi,
        ">": lambda v: v >= hi,
        ">=": lambda v: v >= lo,
    }
    test = tests[node.op]
    if node.op == "!=":
        return lambda r: (v := get(r)) is None or test(v)
    return lambda r: (v := get(r)) is not None and test(v)


def _normaliser(field: Field) -> Callable[[Any], Any]:
    if field.type in _IDS:
        return lambda v: v[:15]  # 15- and 18-character ids name the same record
    if field.type in _NUMERIC or field.type in ("boolean", "date", "datetime"):
        return lambda v: v
    return lambda v: v.casefold()  # SOQL string comparison ignores case


def _coerce(query: Query, node: Compare, field: Field, value: Any) -> Any:
    kind = field.type
    if kind == "datetime":
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=UTC)
    elif kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
    elif kind in _NUMERIC:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    elif isinstance(value, str):
        return value
    raise _type_error(query, node, field)


def _type_error(query: Query, node: Compare, field: Field) -> Exception:
    kind = {"int": "double", "currency": "double", "percent": "double"}.get(field.type, field.type)
    numeric = kind in ("double", "boolean", "date", "datetime")
    quoted = (
        "and should not be enclosed in quotes" if numeric else "and should be enclosed in quotes"
    )
    detail = f"value of filter criterion for field '{field.name}' must be of type {kind} {quoted}"
    return _query_error(query, node.path.pos, "INVALID_FIELD", detail)


def _like_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _case_blind(get: Callable[[Record], Any]) -> Callable[[Record], Any]:
    return lambda r: _sort_key(get(r))
