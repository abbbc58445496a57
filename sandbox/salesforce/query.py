"""``query`` and ``queryAll``: SOQL over REST, paged through server-side cursors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.salesforce.errors import INVALID_SESSION, sf_error
from sandbox.salesforce.render import Projection
from sandbox.salesforce.soql import SoqlError, caret_message, parse
from sandbox.salesforce.soql_eval import Resolver, compile_query

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["DEFAULT_BATCH", "batch_size", "register"]

DEFAULT_BATCH = 2000
MIN_BATCH = 200
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def batch_size(request: Request) -> int | None:
    """The ``Sforce-Query-Options: batchSize=N`` hint, clamped to 200..2000."""
    match = _BATCH.search(request.headers.get("Sforce-Query-Options", ""))
    if match is None:
        return None
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


def _run(
    app: SalesforceEmulator, request: Request, version: str, include_deleted: bool
) -> Response:
    """One SOQL query: its only page, or its first with a cursor for the rest."""
    text = request.args.get("q")
    if not text:
        raise sf_error(400, "MALFORMED_QUERY", "A query string has to be specified")
    try:
        query = parse(text)
    except SoqlError as exc:
        raise sf_error(400, "MALFORMED_QUERY", caret_message(text, exc.pos, exc.message)) from exc
    with app.world.lock:
        tables = app.world.salesforce
        plan = compile_query(query, tables, app.clock.now().date())
        rows = plan.run(include_deleted)
        if query.count:
            return json_response({"totalSize": len(rows), "done": True, "records": []})
        records = Projection(plan.object_name, plan.select, Resolver(tables)).to_json(rows, version)
    size = batch_size(request) or DEFAULT_BATCH
    if len(records) <= size:
        return json_response({"totalSize": len(records), "done": True, "records": records})
    session = app.session_of(request)
    cursor = app.cursors.open(session.token, session.user_id, records, size)
    kind = "queryAll" if include_deleted else "query"
    return _page(version, kind, cursor.locator, records, 0, size)


def _more(
    app: SalesforceEmulator, request: Request, version: str, locator: str, kind: str
) -> Response:
    """The page of an open cursor at the offset its locator names."""
    name, _, offset_text = locator.rpartition("-")
    cursor = app.cursors.get(name) if offset_text.isdigit() else None
    if cursor is None:
        raise sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    if not app.tokens.is_valid(cursor.token):
        raise sf_error(401, "INVALID_SESSION_ID", INVALID_SESSION)
    offset = int(offset_text)
    if offset > len(cursor.records):
        raise sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    size = batch_size(request) or cursor.batch_size
    if offset + size >= len(cursor.records):
        app.cursors.close(name)
    return _page(version, kind, name, cursor.records, offset, size)


def register(app: SalesforceEmulator) -> None:
    def query(request: Request, version: str) -> Response:
        return _run(app, request, version, include_deleted=False)

    def query_all(request: Request, version: str) -> Response:
        return _run(app, request, version, include_deleted=True)

    def query_more(request: Request, version: str, locator: str) -> Response:
        return _more(app, request, version, locator, "query")

    def query_all_more(request: Request, version: str, locator: str) -> Response:
        return _more(app, request, version, locator, "queryAll")

    base = "/services/data/<version>"
    for path, handler in (
        ("query", query),
        ("queryAll", query_all),
        ("query/<locator>", query_more),
        ("queryAll/<locator>", query_all_more),
    ):
        rule = f"{base}/{path}"
        app.add_route(rule, handler, ("GET",), endpoint=f"GET {rule}")


def _page(
    version: str, kind: str, locator: str, records: list[dict[str, Any]], start: int, size: int
) -> Response:
    end = min(start + size, len(records))
    body: dict[str, Any] = {"totalSize": len(records), "done": end >= len(records)}
    if end < len(records):
        body["nextRecordsUrl"] = f"/services/data/{version}/{kind}/{locator}-{end}"
    body["records"] = records[start:end]
    return json_response(body)
