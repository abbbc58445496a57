"""Record reads: list (page and page_token paging), one record, and the record count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.zoho.errors import invalid_data, zoho_error
from sandbox.zoho.listing import parse_list_query
from sandbox.zoho.params import int_param, modified_since, module_table, parse_fields
from sandbox.zoho.render import iso

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["register"]

DISCRETE_MESSAGE = "You can only get the first 2000 records without using page_token param"
TOKEN_MESSAGE = "You can only get upto 100000 records using page_token param"


def register(app: ZohoEmulator) -> None:
    world = app.world
    limits = app.limits

    def list_records(request: Request, version: str, module: str) -> Response:
        args = request.args
        with world.lock:
            table = module_table(world, module)
            fields = parse_fields(args, table.schema, required=version != "v2")
        per_page = int_param(args, "per_page", 200, 1, 200)
        since = modified_since(request.headers)
        query = parse_list_query(module, args, since)
        now = app.clock.now()
        token = args.get("page_token")
        if token:
            if "page" in args:
                raise zoho_error(
                    400,
                    "AMBIGUITY_DURING_PROCESSING",
                    "page and page_token cannot be used together",
                    {"ambiguity_due_to": ["page", "page_token"]},
                )
            cursor = app.cursors.get(token)
            if cursor is None:
                raise invalid_data("page_token", "invalid page token")
            if cursor.expires <= now:
                raise zoho_error(
                    400, "EXPIRED_VALUE", "the page token has expired", {"param_name": "page_token"}
                )
            if cursor.query != query:
                raise zoho_error(
                    400,
                    "TOKEN_BOUND_DATA_MISMATCH",
                    "the given parameters do not match the ones the page token was issued for",
                    {"param_name": "page_token"},
                )
            rows, offset, expires = cursor.rows, cursor.offset, cursor.expires
            if offset >= limits.page_token_records:
                raise zoho_error(
                    400,
                    "PAGINATION_LIMIT_EXCEEDED",
                    TOKEN_MESSAGE,
                    {"limit": limits.page_token_records},
                )
            end = min(offset + per_page, limits.page_token_records)
            page = offset // per_page + 1
        else:
            page = int_param(args, "page", 1, 1, 10**9)
            if page * per_page > limits.discrete_records:
                raise zoho_error(
                    400,
                    "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                    DISCRETE_MESSAGE,
                    {"limit": limits.discrete_records},
                )
            with world.lock:
                gen = app.renderer.refresh()
                rows = app.results.get((query, gen), lambda: query.rows(table))
            offset = (page - 1) * per_page
            end = offset + per_page
            expires = app.cursors.expiry(now)
        if not rows:
            return json_response(None, 304 if since is not None else 204)
        window = rows[offset:end]
        if not window:
            return json_response(None, 204)
        with world.lock:
            app.renderer.refresh()
            plan = app.renderer.plan(table.schema, fields or table.schema.field_names)
            data = app.renderer.render(window, plan)
        more = end < len(rows)
        next_token = app.cursors.issue(query, rows, end, now, expires) if more else None
        previous = (
            app.cursors.issue(query, rows, max(offset - per_page, 0), now, expires)
            if offset > 0
            else None
        )
        info: dict[str, Any] = {
            "per_page": per_page,
            "count": len(data),
            "page": page,
            "sort_by": query.sort_by,
            "sort_order": query.sort_order,
            "more_records": more,
            "next_page_token": next_token,
            "previous_page_token": previous,
            "page_token_expiry": iso(expires),
            "call": False,
            "email": False,
        }
        return json_response({"data": data, "info": info})

    def get_record(request: Request, version: str, module: str, record_id: str) -> Response:
        with world.lock:
            table = module_table(world, module)
            fields = parse_fields(request.args, table.schema, required=False)
            record = table.get(record_id)
            if record is None:
                return json_response(None, 204)
            app.renderer.refresh()
            plan = app.renderer.plan(table.schema, fields or table.schema.field_names)
            data = app.renderer.render([record], plan)
        return json_response({"data": data})

    def count_records(request: Request, version: str, module: str) -> Response:
        with world.lock:
            table = module_table(world, module)
            match = app.search_matcher(table, request.args)
            count = sum(1 for r in table.live() if match(r))
        return json_response({"count": count})

    app.api_route("GET", "/<module>", list_records)
    app.api_route("GET", "/<module>/<record_id>", get_record, "/<module>/<id>")
    app.api_route("GET", "/<module>/actions/count", count_records)
