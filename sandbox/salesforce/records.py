"""Single-record sObject routes: create, read, update, delete, upsert by external id,
and the ``deleted`` / ``updated`` replication resources."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, sf_error
from sandbox.salesforce.render import format_datetime, record_url, render_full
from sandbox.salesforce.writes import WriteError, parse_datetime, to_18
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["DELETED_RETENTION", "register"]

DELETED_RETENTION = timedelta(days=15)


def _table_of(app: SalesforceEmulator, obj: str) -> Table:
    table = app.writer.table(obj)
    if table is None:
        raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
    return table


def _body_of(request: Request) -> dict[str, Any]:
    try:
        body = json_body(request)
    except ValueError as exc:
        raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
    if not isinstance(body, dict):
        raise sf_error(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject")
    return body


def _existing(table: Table, rid: str) -> str:
    full = to_18(rid)
    if full in table.deleted_at:
        raise sf_error(404, "ENTITY_IS_DELETED", "entity is deleted")
    if table.get(full) is None:
        if len(rid) not in (15, 18):
            raise sf_error(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {rid}",
            )
        raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
    return full


def _create(app: SalesforceEmulator, request: Request, version: str, obj: str) -> Response:
    writer = app.writer
    payload = _body_of(request)
    with app.world.lock:
        table = _table_of(app, obj)
        try:
            changes = writer.coerce(table.schema, payload, creating=True)
        except WriteError as exc:
            raise sf_error(400, exc.code, exc.message, exc.fields or None) from exc
        rid = writer.insert(table, writer.new_record(table, changes))
    return json_response({"id": rid, "success": True, "errors": []}, 201)


def _read(app: SalesforceEmulator, request: Request, version: str, obj: str, rid: str) -> Response:
    with app.world.lock:
        table = _table_of(app, obj)
        full = _existing(table, rid)
        body = render_full(table.schema, table.rows[full], version, False)
    wanted = request.args.get("fields")
    if wanted:
        keep = {n.strip().lower() for n in wanted.split(",")}
        body = {k: v for k, v in body.items() if k == "attributes" or k.lower() in keep}
    return json_response(body)


def _update(
    app: SalesforceEmulator, request: Request, version: str, obj: str, rid: str
) -> Response:
    writer = app.writer
    payload = _body_of(request)
    with app.world.lock:
        table = _table_of(app, obj)
        full = _existing(table, rid)
        try:
            changes = writer.coerce(table.schema, payload, creating=False)
        except WriteError as exc:
            raise sf_error(400, exc.code, exc.message, exc.fields or None) from exc
        writer.update(table, full, changes)
    return json_response(None, 204)


def _delete(
    app: SalesforceEmulator, request: Request, version: str, obj: str, rid: str
) -> Response:
    writer = app.writer
    with app.world.lock:
        table = _table_of(app, obj)
        writer.delete(table, _existing(table, rid))
    return json_response(None, 204)


def _upsert(
    app: SalesforceEmulator, request: Request, version: str, obj: str, field: str, value: str
) -> Response:
    writer = app.writer
    payload = _body_of(request)
    with app.world.lock:
        table = _table_of(app, obj)
        ext = app.external_id_field(table, field)
        matches = writer.matching(table, ext, value)
        if len(matches) > 1:
            return json_response([record_url(version, table.name, m) for m in matches], 300)
        try:
            changes = writer.coerce(table.schema, payload, creating=not matches)
            if matches:
                writer.update(table, matches[0], changes)
                return json_response(
                    {"id": matches[0], "success": True, "errors": [], "created": False}
                )
            if ext.name != "Id":
                changes[ext.name] = writer.value_of(ext, value)
            rid = writer.insert(table, writer.new_record(table, changes))
        except WriteError as exc:
            raise sf_error(400, exc.code, exc.message, exc.fields or None) from exc
    return json_response({"id": rid, "success": True, "errors": [], "created": True}, 201)


def _read_by_external(
    app: SalesforceEmulator, request: Request, version: str, obj: str, field: str, value: str
) -> Response:
    writer = app.writer
    with app.world.lock:
        table = _table_of(app, obj)
        matches = writer.matching(table, app.external_id_field(table, field), value)
        if len(matches) > 1:
            return json_response([record_url(version, table.name, m) for m in matches], 300)
        if not matches:
            raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
        body = render_full(table.schema, table.rows[matches[0]], version, False)
    return json_response(body)


def _window(request: Request) -> tuple[datetime, datetime]:
    try:
        return parse_datetime(request.args["start"]), parse_datetime(request.args["end"])
    except (KeyError, ValueError) as exc:
        raise sf_error(
            400, "INVALID_REPLICATION_DATE", "start and end must be valid dateTime values"
        ) from exc


def _deleted(app: SalesforceEmulator, request: Request, version: str, obj: str) -> Response:
    start, end = _window(request)
    now = app.clock.now()
    earliest = (now - DELETED_RETENTION).replace(second=0, microsecond=0)
    with app.world.lock:
        table = _table_of(app, obj)
        found = [
            (rid, when)
            for source in (table.deleted_at, table.purged)
            for rid, when in source.items()
            if max(start, earliest) <= when <= end
        ]
    found.sort(key=lambda pair: (pair[1], pair[0]))
    return json_response(
        {
            "deletedRecords": [
                {"id": rid, "deletedDate": format_datetime(when)} for rid, when in found
            ],
            "earliestDateAvailable": format_datetime(earliest),
            "latestDateCovered": format_datetime(_covered(min(end, now))),
        }
    )


def _updated(app: SalesforceEmulator, request: Request, version: str, obj: str) -> Response:
    start, end = _window(request)
    with app.world.lock:
        table = _table_of(app, obj)
        ids = [
            r["Id"]
            for r in table.live()
            if (stamp := r.get("SystemModstamp")) is not None and start <= stamp <= end
        ]
    covered = _covered(min(end, app.clock.now()))
    return json_response({"ids": ids, "latestDateCovered": format_datetime(covered)})


def register(app: SalesforceEmulator) -> None:
    base = "/services/data/<version>/sobjects/<obj>"
    routes: list[tuple[str, Any, str]] = [
        (base, _create, "POST"),
        (f"{base}/deleted", _deleted, "GET"),
        (f"{base}/updated", _updated, "GET"),
        (f"{base}/<rid>", _read, "GET"),
        (f"{base}/<rid>", _update, "PATCH"),
        (f"{base}/<rid>", _delete, "DELETE"),
        (f"{base}/<field>/<value>", _upsert, "PATCH"),
        (f"{base}/<field>/<value>", _read_by_external, "GET"),
    ]
    for rule, handler, method in routes:
        app.add_route(rule, partial(handler, app), (method,), endpoint=f"{method} {rule}")


def _covered(when: datetime) -> datetime:
    # Salesforce reports coverage to the last whole minute.
    return when.replace(second=0, microsecond=0)
