"""Record writes: insert, update (bulk and one), upsert, delete (to the recycle bin).

At most 100 records per call. Each item gets its own ``{code, details, message, status}``
in input order; the call answers 201/200 when all succeed, 207 when mixed, 400 when all
fail. Writes stamp ``Modified_Time`` / ``Modified_By`` from the sandbox clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.store import Record, Table
from sandbox.zoho.errors import item_error, zoho_error
from sandbox.zoho.params import module_table
from sandbox.zoho.write_items import (
    ItemError,
    apply_insert,
    apply_update,
    changes_for,
    result_details,
)

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["DEFAULT_DUPLICATE_CHECK", "MAX_RECORDS", "register"]

MAX_RECORDS = 100
_BAD_ID = "the related id given seems to be invalid"
# the system-defined duplicate check fields Zoho's upsert uses when none are given
DEFAULT_DUPLICATE_CHECK: dict[str, tuple[str, ...]] = {
    "Leads": ("Email",),
    "Contacts": ("Email",),
    "Accounts": ("Account_Name",),
    "Deals": ("Deal_Name",),
    "Cases": ("Subject",),
}


def _items(request: Request) -> tuple[list[Any], dict[str, Any]]:
    try:
        body = orjson.loads(request.get_data(cache=True) or b"null")
    except orjson.JSONDecodeError:
        body = None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not data:
        raise zoho_error(
            400,
            "INVALID_DATA",
            "invalid data",
            {"expected_data_type": "jsonarray", "api_name": "data", "json_path": "$.data"},
        )
    if len(data) > MAX_RECORDS:
        raise zoho_error(
            400,
            "LIMIT_EXCEEDED",
            "the number of records exceeds the limit",
            {"limit": MAX_RECORDS, "api_name": "data"},
        )
    return data, body


def _answer(results: list[dict[str, Any]], all_ok: int) -> Response:
    ok = sum(1 for r in results if r["status"] == "success")
    status = all_ok if ok == len(results) else (400 if ok == 0 else 207)
    return json_response({"data": results}, status)


def _success(message: str, details: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": details, "message": message, "status": "success", **extra}


def _find_duplicate(
    table: Table, fields: tuple[str, ...], item: dict[str, Any]
) -> tuple[Record, str] | None:
    for name in fields:
        value = item.get(name)
        if value in (None, ""):
            continue
        wanted = value.lower() if isinstance(value, str) else value
        for record in table.live():
            stored = record.get(name)
            if (stored.lower() if isinstance(stored, str) else stored) == wanted:
                return record, name
    return None


def _one(
    app: ZohoEmulator,
    table: Table,
    item: Any,
    index: int,
    mode: str,
    record_id: str | None,
    check: tuple[str, ...],
    unique: tuple[str, ...],
    now: Any,
    user: str | None,
) -> dict[str, Any]:
    """The result of writing one item, or ``ItemError`` with its error."""
    if mode == "upsert":
        return _upsert_one(app, table, item, index, check, now, user)
    if mode == "insert":
        return _insert_one(app, table, item, index, unique, now, user)
    return _update_one(app, table, item, index, record_id, now, user)


def _upsert_one(
    app: ZohoEmulator,
    table: Table,
    item: Any,
    index: int,
    check: tuple[str, ...],
    now: Any,
    user: str | None,
) -> dict[str, Any]:
    found = _find_duplicate(table, check, item) if isinstance(item, dict) else None
    if found is not None:
        changes = changes_for(app, table, item, index, inserting=False)
        record = apply_update(table, found[0]["id"], changes, now, user)
        details = result_details(app, table, record)
        return _success("record updated", details, action="update", duplicate_field=found[1])
    changes = changes_for(app, table, item, index, inserting=True)
    record = apply_insert(app, table, changes, now, user)
    details = result_details(app, table, record)
    return _success("record added", details, action="insert", duplicate_field=None)


def _insert_one(
    app: ZohoEmulator,
    table: Table,
    item: Any,
    index: int,
    unique: tuple[str, ...],
    now: Any,
    user: str | None,
) -> dict[str, Any]:
    changes = changes_for(app, table, item, index, inserting=True)
    dup = _find_duplicate(table, unique, item)
    if dup is not None:
        raise ItemError(
            item_error(
                "DUPLICATE_DATA",
                "duplicate data",
                api_name=dup[1],
                json_path=f"$.data[{index}].{dup[1]}",
                duplicate_record={"id": dup[0]["id"], "module": {"api_name": table.name}},
            )
        )
    record = apply_insert(app, table, changes, now, user)
    return _success("record added", result_details(app, table, record))


def _update_one(
    app: ZohoEmulator,
    table: Table,
    item: Any,
    index: int,
    record_id: str | None,
    now: Any,
    user: str | None,
) -> dict[str, Any]:
    rid = record_id or (item.get("id") if isinstance(item, dict) else None)
    if not rid:
        raise ItemError(
            item_error(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                api_name="id",
                json_path=f"$.data[{index}].id",
            )
        )
    if table.get(str(rid)) is None:
        raise ItemError(
            item_error(
                "INVALID_DATA",
                "the related id given seems to be invalid",
                api_name="id",
                json_path=f"$.data[{index}].id",
            )
        )
    changes = changes_for(app, table, item, index, inserting=False)
    record = apply_update(table, str(rid), changes, now, user)
    return _success("record updated", result_details(app, table, record))


def register(app: ZohoEmulator) -> None:
    world = app.world

    def write(request: Request, module: str, mode: str, record_id: str | None = None) -> Response:
        data, body = _items(request)
        now = app.clock.now()
        user = app.current_user_id()
        results: list[dict[str, Any]] = []
        with world.lock:
            table = module_table(world, module)
            check = tuple(
                body.get("duplicate_check_fields") or DEFAULT_DUPLICATE_CHECK.get(module, ())
            )
            unique = app.unique_fields.get(module, ())
            for index, item in enumerate(data):
                try:
                    results.append(
                        _one(app, table, item, index, mode, record_id, check, unique, now, user)
                    )
                except ItemError as exc:
                    results.append(exc.body)
        all_ok = 201 if mode == "insert" else 200
        return _answer(results, all_ok)

    def delete(request: Request, module: str, ids: list[str]) -> Response:
        if not ids:
            raise zoho_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "ids"},
            )
        if len(ids) > MAX_RECORDS:
            raise zoho_error(
                400,
                "LIMIT_EXCEEDED",
                "the number of records exceeds the limit",
                {"limit": MAX_RECORDS, "param_name": "ids"},
            )
        now = app.clock.now()
        user = app.current_user_id()
        results = []
        with world.lock:
            table = module_table(world, module)
            for rid in ids:
                if table.get(rid) is None:
                    results.append(
                        item_error(
                            "INVALID_DATA", "the related id given seems to be invalid", id=rid
                        )
                    )
                    continue
                table.soft_delete(rid, now)
                app.deleted_by[(module, rid)] = user
                results.append(_success("record deleted", {"id": rid}))
        return _answer(results, 200)

    def insert(request: Request, version: str, module: str) -> Response:
        return write(request, module, "insert")

    def update(request: Request, version: str, module: str) -> Response:
        return write(request, module, "update")

    def update_one(request: Request, version: str, module: str, record_id: str) -> Response:
        return write(request, module, "update", record_id)

    def upsert(request: Request, version: str, module: str) -> Response:
        return write(request, module, "upsert")

    def delete_many(request: Request, version: str, module: str) -> Response:
        ids = [i.strip() for i in (request.args.get("ids") or "").split(",") if i.strip()]
        return delete(request, module, ids)

    def delete_one(request: Request, version: str, module: str, record_id: str) -> Response:
        return delete(request, module, [record_id])

    app.api_route("POST", "/<module>", insert)
    app.api_route("PUT", "/<module>", update)
    app.api_route("DELETE", "/<module>", delete_many)
    app.api_route("POST", "/<module>/upsert", upsert)
    app.api_route("PUT", "/<module>/<record_id>", update_one, "/<module>/<id>")
    app.api_route("DELETE", "/<module>/<record_id>", delete_one, "/<module>/<id>")
