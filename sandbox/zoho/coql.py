"""COQL: ``POST /crm/v8/coql`` ``{"select_query": "select ... from Leads where ..."}``.

A query's filtered, ordered result is materialised once per world generation (offset
paging through it costs a slice), and each page rendered with lookups as ``{"id"}`` like
Zoho's COQL. Limits: 50 columns, 100 ``in`` values, ``limit`` <= 2,000, offset + limit
<= 10,000.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.schema import Field, ObjectSchema
from sandbox.store import Record
from sandbox.zoho.coql_parser import Cond, Query, Test, parse_query
from sandbox.zoho.errors import zoho_error
from sandbox.zoho.params import NON_RECORD_MODULES, parse_datetime

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["compile_where", "register"]

MAX_COLUMNS = 50
MAX_IN_VALUES = 100
MAX_LIMIT = 2_000
MAX_ROWS = 10_000
_TEXT = {"id", "string", "textarea", "email", "phone", "url", "picklist", "reference"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Predicate = Callable[[Record], bool]


def _invalid(reason: str, **details: Any) -> Exception:
    return zoho_error(400, "INVALID_QUERY", reason, details)


def _field(schema: ObjectSchema, name: str) -> Field:
    f = schema.field(name)
    if f is None:
        raise _invalid("invalid column given", column_name=name)
    return f


def _coerce(f: Field, value: Any) -> Any:
    """A literal as the stored type of ``f``; text lower-cased (comparisons ignore case)."""
    if value is None:
        return None
    bad = _invalid("invalid value given for the column", column_name=f.name, value=value)
    if f.type == "datetime":
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise bad
        return parsed
    if f.type == "date":
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise bad from None
    if f.type == "boolean":
        if not isinstance(value, bool):
            raise bad
        return value
    if f.type in ("int", "double", "currency", "percent"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        return value
    return str(value).lower()


def _getter(f: Field) -> Callable[[Record], Any]:
    name = f.name
    if f.type in _TEXT:
        return lambda r: v.lower() if isinstance(v := r.get(name), str) else v
    return lambda r: r.get(name)


def _like(pattern: str) -> Callable[[str], bool]:
    body = pattern.lower()
    starts, ends = body.startswith("%"), body.endswith("%") and len(body) > 1
    core = body.strip("%")
    if starts and ends:
        return lambda v: core in v
    if starts:
        return lambda v: v.endswith(core)
    if ends:
        return lambda v: v.startswith(core)
    return lambda v: v == core


_COMPARE = {
    "=": lambda v, x: v == x,
    "!=": lambda v, x: v != x,
    "<": lambda v, x: v < x,
    "<=": lambda v, x: v <= x,
    ">": lambda v, x: v > x,
    ">=": lambda v, x: v >= x,
}


def _test(schema: ObjectSchema, t: Test) -> Predicate:
    f = _field(schema, t.field)
    get = _getter(f)
    if t.op == "null":
        pred: Predicate = lambda r: get(r) is None  # noqa: E731
    elif t.op == "like":
        if f.type not in _TEXT:
            raise _invalid("like is not supported for this column", column_name=f.name)
        match = _like(t.value)
        pred = lambda r: isinstance(v := get(r), str) and match(v)  # noqa: E731
    elif t.op == "in":
        if len(t.value) > MAX_IN_VALUES:
            raise zoho_error(
                400,
                "LIMIT_EXCEEDED",
                "the number of values given in the in clause exceeds the limit",
                {"limit": MAX_IN_VALUES, "clause": "in"},
            )
        wanted = {_coerce(f, v) for v in t.value}
        pred = lambda r: get(r) in wanted  # noqa: E731
    elif t.op == "between":
        low, high = (_coerce(f, v) for v in t.value)
        pred = lambda r: (v := get(r)) is not None and low <= v <= high  # noqa: E731
    else:
        x = _coerce(f, t.value)
        compare = _COMPARE[t.op]
        if x is None:
            pred = lambda r: compare(get(r), None) if t.op in ("=", "!=") else False  # noqa: E731
        else:
            pred = lambda r: (v := get(r)) is not None and compare(v, x)  # noqa: E731
    if t.negate:
        return lambda r: not pred(r)
    return pred


def compile_where(schema: ObjectSchema, node: Cond | Test) -> Predicate:
    """A predicate over stored records for a parsed WHERE clause."""
    if isinstance(node, Test):
        return _test(schema, node)
    parts = [compile_where(schema, p) for p in node.parts]
    if node.kind == "and":
        return lambda r: all(p(r) for p in parts)
    return lambda r: any(p(r) for p in parts)


def _null_first(get: Callable[[Record], Any]) -> Callable[[Record], tuple[bool, Any]]:
    """A sort key on ``get`` with nulls first (0 stands in for them so None is never compared)."""

    def key(r: Record) -> tuple[bool, Any]:
        value = get(r)
        return (value is not None, value if value is not None else 0)

    return key


def _ordered(rows: list[Record], schema: ObjectSchema, order: tuple[tuple[str, bool], ...]) -> None:
    keys = order or (("id", False),)
    # stable sorts from the last key to the first give a multi-key order with mixed directions
    for name, desc in reversed(keys):
        rows.sort(key=_null_first(_getter(_field(schema, name))), reverse=desc)


def _validate(q: Query) -> None:
    if len(q.fields) > MAX_COLUMNS:
        raise zoho_error(
            400, "LIMIT_EXCEEDED", "the number of columns exceeds the limit", {"limit": MAX_COLUMNS}
        )
    if q.limit > MAX_LIMIT or q.limit < 1:
        raise zoho_error(
            400, "LIMIT_EXCEEDED", "the limit given exceeds the maximum", {"limit": MAX_LIMIT}
        )
    if q.offset + q.limit > MAX_ROWS:
        raise zoho_error(
            400,
            "LIMIT_EXCEEDED",
            f"offset and limit exceed the maximum of {MAX_ROWS} records",
            {"limit": MAX_ROWS},
        )


def register(app: ZohoEmulator) -> None:
    world = app.world

    def run_coql(request: Request, version: str) -> Response:
        try:
            body = orjson.loads(request.get_data(cache=True) or b"null")
        except orjson.JSONDecodeError:
            body = None
        text = body.get("select_query") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise zoho_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "select_query"},
            )
        q = parse_query(text)
        _validate(q)
        with world.lock:
            table = world.zoho.get(q.module)
            if table is None or q.module in NON_RECORD_MODULES:
                raise _invalid("invalid module given", module=q.module)
            schema = table.schema
            for name in (*q.fields, *(n for n, _ in q.order)):
                _field(schema, name)
            pred = compile_where(schema, q.where) if q.where is not None else None
            gen = app.renderer.refresh()

            def build() -> list[Record]:
                rows = [r for r in table.live() if pred is None or pred(r)]
                _ordered(rows, schema, q.order)
                return rows

            key = ("coql", q.module, q.where, q.order, gen)
            rows = app.results.get(key, build)
            window = rows[q.offset : q.offset + q.limit]
            if not window:
                return json_response(None, 204)
            data = app.renderer.render(window, app.renderer.plan(schema, q.fields, id_only=True))
        more = q.offset + q.limit < len(rows)
        return json_response({"data": data, "info": {"count": len(data), "more_records": more}})

    app.api_route("POST", "/coql", run_coql)
