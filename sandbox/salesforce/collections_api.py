"""sObject Collections: ``/composite/sobjects`` create, update, delete and upsert.

At most 200 records per call; results come back in input order. With ``allOrNone``
every record is validated first and, if any fails, nothing is written and the valid
ones answer ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, error_item, sf_error
from sandbox.salesforce.soql_eval import PREFIX_TO_OBJECT
from sandbox.salesforce.writes import WriteError, to_18
from sandbox.schema import Field
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["MAX_RECORDS", "register"]

MAX_RECORDS = 200
_ROLLED_BACK = error_item(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)
Apply = Callable[[], dict[str, Any]]


def _payload(request: Request) -> tuple[bool, list[dict[str, Any]]]:
    try:
        body = json_body(request) or {}
    except ValueError as exc:
        raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise sf_error(400, "INVALID_FIELD", "records: a list of sObjects is required")
    _check_size(len(records))
    return bool(body.get("allOrNone", False)), records


def _table_for(app: SalesforceEmulator, record: dict[str, Any], default: str | None = None) -> Any:
    obj = (record.get("attributes") or {}).get("type") or default
    if not obj:
        raise WriteError("INVALID_TYPE", "Must send a concrete entity type.")
    table = app.writer.table(obj)
    if table is None:
        raise WriteError("INVALID_TYPE", f"sObject type '{obj}' is not supported.")
    return table


def _plan_create(app: SalesforceEmulator, record: dict[str, Any]) -> Apply:
    writer = app.writer
    table = _table_for(app, record)
    if any(k.lower() == "id" for k in record):
        raise WriteError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
    new = writer.new_record(table, writer.coerce(table.schema, record, creating=True))
    return lambda: {"id": writer.insert(table, new), "success": True, "errors": []}


def _plan_update(app: SalesforceEmulator, record: dict[str, Any]) -> Apply:
    writer = app.writer
    table = _table_for(app, record)
    fields = {k: v for k, v in record.items() if k.lower() != "id"}
    rid = to_18(str(next((v for k, v in record.items() if k.lower() == "id"), "")))
    if table.get(rid) is None:
        code = "ENTITY_IS_DELETED" if rid in table.deleted_at else "INVALID_CROSS_REFERENCE_KEY"
        raise WriteError(code, "invalid cross reference id")
    changes = writer.coerce(table.schema, fields, creating=False)
    if app.record_locks.get(rid, 0) > 0:  # another transaction holds the row
        app.record_locks[rid] -= 1
        raise WriteError(
            "UNABLE_TO_LOCK_ROW",
            f"unable to obtain exclusive access to this record or 1 records: {rid}",
        )

    def apply() -> dict[str, Any]:
        writer.update(table, rid, changes)
        return {"id": rid, "success": True, "errors": []}

    return apply


def _plan_delete(app: SalesforceEmulator, rid: str) -> Apply:
    writer = app.writer
    table = writer.table(_object_of(rid))
    full = to_18(rid)
    if table is None or full not in table.rows:
        raise WriteError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if full in table.deleted_at:
        raise WriteError("ENTITY_IS_DELETED", "entity is deleted")

    def apply() -> dict[str, Any]:
        writer.delete(table, full)
        return {"id": full, "success": True, "errors": []}

    return apply


def _plan_upsert(
    app: SalesforceEmulator, table: Table, ext: Field, record: dict[str, Any]
) -> Apply:
    writer = app.writer
    value = next((v for k, v in record.items() if k.lower() == ext.name.lower()), None)
    if value is None:
        raise WriteError("MISSING_ARGUMENT", f"{ext.name} not specified", [ext.name])
    matches = writer.matching(table, ext, value)
    if len(matches) > 1:
        raise WriteError(
            "DUPLICATE_EXTERNAL_ID",
            f"{ext.name}: more than one record found for external id field: {matches}",
            [ext.name],
        )
    fields = {k: v for k, v in record.items() if k.lower() != ext.name.lower()}
    changes = writer.coerce(table.schema, fields, creating=not matches)
    if matches:
        rid = matches[0]

        def apply_update() -> dict[str, Any]:
            writer.update(table, rid, changes)
            return {"id": rid, "success": True, "errors": [], "created": False}

        return apply_update
    if ext.name != "Id":
        changes[ext.name] = writer.value_of(ext, value)
    new = writer.new_record(table, changes)
    return lambda: {
        "id": writer.insert(table, new),
        "success": True,
        "errors": [],
        "created": True,
    }


def _run(
    app: SalesforceEmulator, all_or_none: bool, items: list[Any], plan: Callable[[Any], Apply]
) -> Response:
    with app.world.lock:
        planned: list[Apply | WriteError] = []
        for item in items:
            try:
                planned.append(plan(item))
            except WriteError as exc:
                planned.append(exc)
        failed = any(isinstance(p, WriteError) for p in planned)
        results = []
        for p in planned:
            if isinstance(p, WriteError):
                results.append({"success": False, "errors": [p.item()]})
            elif all_or_none and failed:
                results.append({"success": False, "errors": [_ROLLED_BACK]})
            else:
                try:
                    results.append(p())
                except WriteError as exc:
                    results.append({"success": False, "errors": [exc.item()]})
    return json_response(results)


def _create(app: SalesforceEmulator, request: Request, version: str) -> Response:
    all_or_none, records = _payload(request)
    return _run(app, all_or_none, records, partial(_plan_create, app))


def _update(app: SalesforceEmulator, request: Request, version: str) -> Response:
    all_or_none, records = _payload(request)
    return _run(app, all_or_none, records, partial(_plan_update, app))


def _delete(app: SalesforceEmulator, request: Request, version: str) -> Response:
    ids = [i for i in request.args.get("ids", "").split(",") if i]
    if not ids:
        raise sf_error(400, "MISSING_ARGUMENT", "ids parameter is required")
    _check_size(len(ids))
    all_or_none = request.args.get("allOrNone", "false").lower() == "true"
    return _run(app, all_or_none, ids, partial(_plan_delete, app))


def _upsert(
    app: SalesforceEmulator, request: Request, version: str, obj: str, field: str
) -> Response:
    all_or_none, records = _payload(request)
    with app.world.lock:
        table = app.writer.table(obj)
        if table is None:
            raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
        ext = app.external_id_field(table, field)
    return _run(app, all_or_none, records, partial(_plan_upsert, app, table, ext))


def register(app: SalesforceEmulator) -> None:
    rule = "/services/data/<version>/composite/sobjects"
    for method, handler in (("POST", _create), ("PATCH", _update), ("DELETE", _delete)):
        app.add_route(rule, partial(handler, app), (method,), endpoint=f"{method} {rule}")
    upsert_rule = f"{rule}/<obj>/<field>"
    app.add_route(upsert_rule, partial(_upsert, app), ("PATCH",), endpoint=f"PATCH {upsert_rule}")


def _check_size(count: int) -> None:
    if count > MAX_RECORDS:
        raise sf_error(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )


def _object_of(rid: str) -> str:
    return PREFIX_TO_OBJECT.get(rid[:3], "")
