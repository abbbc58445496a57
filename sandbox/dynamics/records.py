"""Reading rows: entity-set queries with paging and change tracking, one row, counts.

``GET /api/data/v9.2/<entityset>`` answers pages of at most ``Prefer:
odata.maxpagesize`` rows (default and cap 5,000) with ``@odata.nextLink``. With ``Prefer:
odata.track-changes`` the last page also carries ``@odata.deltaLink``; following it
(``$deltatoken``) lists the rows created or changed since, then the rows deleted since as
``{"@odata.context": ".../$metadata#<set>/$deletedEntity", "id", "reason": "deleted"}``.
A token older than the change-tracking retention fails with 0x80044352.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sandbox.dynamics.errors import BAD_QUERY, EXPIRED_DELTA, ODataError
from sandbox.dynamics.odata import parse_filter, parse_orderby, parse_select
from sandbox.dynamics.paging import (
    Cursor,
    delta_token,
    parse_delta_token,
    parse_skiptoken,
    skiptoken,
)
from sandbox.dynamics.render import Preferences, rows_response
from sandbox.dynamics.schema import VERSION_SEQUENCE
from sandbox.http import json_response
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["register"]

_TRACKING_REFUSES = ("$filter", "$orderby", "$top", "$expand")


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, value) if value is not None else (0, "")


class _Query:
    """One collection request, parsed."""

    def __init__(self, app: DynamicsEmulator, request: Request, table: Table) -> None:
        args = request.args
        schema = table.schema
        self.table = table
        self.args = args
        self.prefs = Preferences(request.headers.get("Prefer"))
        self.columns = parse_select(schema, args.get("$select"))
        self.where = parse_filter(schema, args.get("$filter"))
        self.order = parse_orderby(schema, args.get("$orderby"))
        top = args.get("$top")
        if top is not None and not top.isdigit():
            raise ODataError(400, BAD_QUERY, f"Invalid value '{top}' for $top query option.")
        self.top = int(top) if top is not None else None
        cap = app.limits.max_page_size
        self.page_size = min(self.prefs.max_page_size or cap, cap)
        self.cursor = parse_skiptoken(args["$skiptoken"]) if "$skiptoken" in args else None
        self.delta = args.get("$deltatoken")
        self.tracking = (
            (self.prefs.has("odata.track-changes") and table.name not in app.limits.untracked)
            or self.delta is not None
            or (self.cursor is not None and self.cursor.tracking)
        )
        if self.tracking and any(k in args for k in _TRACKING_REFUSES):
            raise ODataError(
                400,
                BAD_QUERY,
                "Change tracking queries support only $select; remove "
                + ", ".join(k for k in _TRACKING_REFUSES if k in args),
            )

    def link(self, app: DynamicsEmulator, request: Request, extra: dict[str, str]) -> str:
        kept = [(k, v) for k, v in self.args.items(multi=True) if k not in extra]
        kept += [(k, v) for k, v in extra.items() if v]
        return f"{app.api_root(request)}{request.path.rsplit('/', 1)[1]}?" + urlencode(
            kept, safe="$,()'"
        )


def _by(column: str) -> Callable[[Record], tuple[int, Any]]:
    return lambda r: _sort_key(r.get(column))


def _ordered_live(table: Table, query: _Query) -> list[Record]:
    rows = [r for r in table.live() if query.where is None or query.where(r)]
    id_field = table.schema.id_field
    rows.sort(key=lambda r: r[id_field])
    for column, descending in reversed(query.order):
        rows.sort(key=_by(column), reverse=descending)
    return rows


def _context(app: DynamicsEmulator, request: Request, entity_set: str, query: _Query) -> str:
    raw = query.args.get("$select")
    selected = f"({raw})" if raw else ""
    return f"{app.api_root(request)}$metadata#{entity_set}{selected}"


def _full(app: DynamicsEmulator, request: Request, entity_set: str, query: _Query) -> Response:
    table = query.table
    id_field = table.schema.id_field
    with app.world.lock:
        rows = _ordered_live(table, query)
        cursor = query.cursor
        version = cursor.version if cursor else app.world.sequences[VERSION_SEQUENCE]
        start = 0
        if cursor is not None:
            if query.order:
                start = int(cursor.last)
            else:
                start = bisect.bisect_right([r[id_field] for r in rows], cursor.last)
        total = len(rows)
        size = query.top if query.top is not None else query.page_size
        size = min(size, query.page_size) if query.top is None else size
        chunk = rows[start : start + size]
        value = [app.renderer.row(table.schema, r, query.columns, query.prefs) for r in chunk]
    body: dict[str, Any] = {"@odata.context": _context(app, request, entity_set, query)}
    if query.args.get("$count") == "true":
        body["@odata.count"] = min(total, 5000)
    body["value"] = value
    more = query.top is None and start + len(chunk) < total
    applied = [f"odata.maxpagesize={query.page_size}"] if query.prefs.max_page_size else []
    if query.tracking:
        applied.append("odata.track-changes")
    headers = {"Preference-Applied": ",".join(applied)} if applied else {}
    if more:
        last = str(start + len(chunk)) if query.order else chunk[-1][id_field]
        page = (cursor.page if cursor else 1) + 1
        token = skiptoken(Cursor(page, last, version, 0, query.tracking), id_field)
        body["@odata.nextLink"] = query.link(app, request, {"$skiptoken": token})
    elif query.tracking:
        with app.world.lock:
            app.changes.watch(table)
        token = delta_token(version, app.clock.now())
        body["@odata.deltaLink"] = query.link(
            app, request, {"$skiptoken": "", "$deltatoken": token}
        )
    if query.tracking and not more:
        body["@odata.context"] += "/$delta"
    return rows_response(body, 200, headers)


def _delta(app: DynamicsEmulator, request: Request, entity_set: str, query: _Query) -> Response:
    assert query.delta is not None
    since, issued = parse_delta_token(query.delta)
    if app.clock.now() - issued > timedelta(seconds=app.limits.delta_token_ttl_s):
        raise ODataError(
            400,
            EXPIRED_DELTA,
            "Version stamp associated with the client has expired. Please perform a full sync.",
        )
    table = query.table
    cursor = query.cursor
    with app.world.lock:
        upto = cursor.version if cursor else app.world.sequences[VERSION_SEQUENCE]
        after = int(cursor.last) if cursor else since
        changed = app.changes.changes(table, after, upto)
        chunk = changed[: query.page_size]
        root = app.api_root(request)
        value = []
        for _, row, deleted in chunk:
            if deleted:
                value.append(
                    {
                        "@odata.context": f"{root}$metadata#{entity_set}/$deletedEntity",
                        "id": row[table.schema.id_field],
                        "reason": "deleted",
                    }
                )
            else:
                value.append(app.renderer.row(table.schema, row, query.columns, query.prefs))
    body: dict[str, Any] = {"@odata.context": _context(app, request, entity_set, query) + "/$delta"}
    body["value"] = value
    headers = {"Preference-Applied": "odata.track-changes"}
    if len(changed) > len(chunk):
        page = (cursor.page if cursor else 1) + 1
        token = skiptoken(Cursor(page, str(chunk[-1][0]), upto, since, True), "versionnumber")
        body["@odata.nextLink"] = query.link(app, request, {"$skiptoken": token})
    else:
        token = delta_token(upto, app.clock.now())
        body["@odata.deltaLink"] = query.link(
            app, request, {"$skiptoken": "", "$deltatoken": token}
        )
    return rows_response(body, 200, headers)


def register(app: DynamicsEmulator) -> None:
    def collection(request: Request, version: str, entity_set: str) -> Response:
        table = app.readable(app.table_for(entity_set))
        query = _Query(app, request, table)
        if query.delta is not None:
            return _delta(app, request, entity_set, query)
        return _full(app, request, entity_set, query)

    def one(request: Request, version: str, entity_set: str, key: str) -> Response:
        table = app.readable(app.table_for(entity_set))
        prefs = Preferences(request.headers.get("Prefer"))
        columns = parse_select(table.schema, request.args.get("$select"))
        with app.world.lock:
            row = app.row_or_404(table, key)
            body = app.renderer.row(table.schema, row, columns, prefs)
        root = app.api_root(request)
        return rows_response(
            {"@odata.context": f"{root}$metadata#{entity_set}/$entity", **body},
            200,
            {"ETag": body["@odata.etag"]},
        )

    def count(request: Request, version: str, entity_set: str) -> Response:
        table = app.readable(app.table_for(entity_set))
        with app.world.lock:
            total = len(table)
        response = Response(str(min(total, 5000)), 200)
        response.content_type = "text/plain; charset=utf-8"
        return response

    def who_am_i(request: Request, version: str) -> Response:
        return json_response(
            {
                "@odata.context": f"{app.api_root(request)}$metadata#"
                "Microsoft.Dynamics.CRM.WhoAmIResponse",
                "BusinessUnitId": app.business_unit_id,
                "UserId": app.caller_id(),
                "OrganizationId": app.organization_id,
            }
        )

    app.api_route("GET", "/WhoAmI", who_am_i)
    app.api_route("GET", "/<entity_set>", collection)
    app.api_route("GET", "/<entity_set>(<key>)", one)
    app.api_route("GET", "/<entity_set>/$count", count)
