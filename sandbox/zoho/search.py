"""The search API: ``GET /crm/v8/{module}/search`` with ``criteria``, ``email``, ``phone`` or
``word``; at most 2,000 results through ``page``/``per_page``; 204 when nothing matches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.schema import ObjectSchema
from sandbox.zoho.criteria import Predicate, parse_criteria
from sandbox.zoho.errors import zoho_error
from sandbox.zoho.listing import SORT_FIELDS, order_records
from sandbox.zoho.params import int_param, module_table, parse_fields

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["SEARCH_LIMIT", "matcher", "register"]

SEARCH_LIMIT = 2_000
_WORD_TYPES = ("string", "textarea", "email", "phone", "url", "picklist")


def _any_of(schema: ObjectSchema, types: tuple[str, ...], test: Callable[[str], bool]) -> Predicate:
    names = [f.name for f in schema.fields if f.type in types]
    return lambda r: any(isinstance(v := r.get(n), str) and test(v) for n in names)


def matcher(schema: ObjectSchema, args: MultiDict[str, str]) -> Predicate:
    """A predicate for the search parameters given (everything matches when none is)."""
    tests: list[Predicate] = []
    if criteria := args.get("criteria"):
        tests.append(parse_criteria(criteria, schema))
    if email := args.get("email"):
        wanted = email.strip().lower()
        tests.append(_any_of(schema, ("email",), lambda v: v.lower() == wanted))
    if phone := args.get("phone"):
        digits = "".join(ch for ch in phone if ch.isdigit())
        tests.append(
            _any_of(schema, ("phone",), lambda v: digits in "".join(c for c in v if c.isdigit()))
        )
    if word := args.get("word"):
        needle = word.strip().lower()
        tests.append(_any_of(schema, _WORD_TYPES, lambda v: needle in v.lower()))
    if not tests:
        return lambda r: True
    return lambda r: all(t(r) for t in tests)


def register(app: ZohoEmulator) -> None:
    world = app.world

    def search_records(request: Request, version: str, module: str) -> Response:
        args = request.args
        if not any(args.get(k) for k in ("criteria", "email", "phone", "word")):
            raise zoho_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": ["criteria", "email", "phone", "word"]},
            )
        per_page = int_param(args, "per_page", 200, 1, 200)
        page = int_param(args, "page", 1, 1, 10**9)
        if page * per_page > SEARCH_LIMIT:
            raise zoho_error(
                400,
                "LIMIT_REACHED",
                f"search results exceed the limit of {SEARCH_LIMIT} records",
                {"limit": SEARCH_LIMIT},
            )
        requested = args.get("sort_by", "")
        sort_by = requested if requested in SORT_FIELDS else "id"
        descending = args.get("sort_order") == "desc"
        filters = sorted(
            (k, v) for k, v in args.items(multi=True) if k not in ("page", "per_page", "fields")
        )
        key = ("search", module, tuple(filters), sort_by, descending)
        with world.lock:
            table = module_table(world, module)
            fields = parse_fields(args, table.schema, required=False)
            match = matcher(table.schema, args)
            gen = app.renderer.refresh()

            def build() -> list:
                rows = [r for r in table.live() if match(r)][:SEARCH_LIMIT]
                return order_records(rows, sort_by, descending)

            rows = app.results.get((key, gen), build)
            offset = (page - 1) * per_page
            window = rows[offset : offset + per_page]
            if not window:
                return json_response(None, 204)
            plan = app.renderer.plan(table.schema, fields or table.schema.field_names)
            data = app.renderer.render(window, plan)
        info = {
            "per_page": per_page,
            "count": len(data),
            "page": page,
            "more_records": offset + per_page < len(rows),
        }
        return json_response({"data": data, "info": info})

    app.api_route("GET", "/<module>/search", search_records)
