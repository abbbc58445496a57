"""Batch writes: create, update, upsert and archive (at most 100 inputs each).

Every input is validated before anything is written, so a 400 leaves the table
untouched; ids that do not exist come back as 207 ``OBJECT_NOT_FOUND`` errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.associations import link_from_specs, validate_specs
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.objects import SINGULAR, TYPE_ID_BY_NAME, resolve_table
from sandbox.hubspot.params import body, inputs
from sandbox.hubspot.responses import batch_response, not_found_error
from sandbox.hubspot.values import coerce_properties
from sandbox.hubspot.writes import (
    check_unique,
    create_record,
    render_written,
    update_record,
)

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]


def _item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise validation_error("Invalid input JSON: each input must be an object")
    return item


def batch_create(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    requested = app.clock.now()
    items = [_item(i) for i in inputs(body(request))]
    typed = [coerce_properties(table.schema, i.get("properties"), creating=True) for i in items]
    results = []
    with app.world.lock:
        seen: dict[str, dict[str, Any]] = {}
        for item, values in zip(items, typed, strict=True):
            validate_specs(app, name, item.get("associations") or [])
            check_unique(app, table, values, None)
            for prop in app.unique_properties.get(name, set()):
                value = values.get(prop)
                if value is not None and str(value).lower() in seen.setdefault(prop, {}):
                    raise validation_error(f"Duplicate {prop} {value} in batch inputs")
                if value is not None:
                    seen[prop][str(value).lower()] = True
        now = app.clock.now()
        for item, values in zip(items, typed, strict=True):
            record = create_record(app, table, values, now)
            link_from_specs(app, name, record["id"], item.get("associations") or [])
            results.append(render_written(table, record, list(values)))
    return batch_response(results, [], requested, app.clock.now(), ok_status=201)


def _missing(name: str, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    kind = SINGULAR[name].upper()
    message = (
        f"Could not get some {kind} objects, they may be deleted or not exist. "
        "Check that ids are valid."
    )
    return [not_found_error(message, ids)]


def batch_update(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    requested = app.clock.now()
    items = [_item(i) for i in inputs(body(request))]
    typed = [coerce_properties(table.schema, i.get("properties"), creating=False) for i in items]
    results, missing = [], []
    with app.world.lock:
        targets = []
        for item, values in zip(items, typed, strict=True):
            raw = str(item.get("id", ""))
            rid = app.find_id(table, raw, item.get("idProperty"))
            if rid is None:
                missing.append(raw)
                continue
            check_unique(app, table, values, rid)
            targets.append((rid, values))
        now = app.clock.now()
        for rid, values in targets:
            record = update_record(table, rid, values, now)
            results.append(render_written(table, record, list(values)))
    return batch_response(results, _missing(name, missing), requested, app.clock.now())


def batch_upsert(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    requested = app.clock.now()
    items = [_item(i) for i in inputs(body(request))]
    unique = app.unique_properties.get(name, set())
    for item in items:
        prop = item.get("idProperty")
        if prop not in unique and prop not in (None, "hs_object_id"):
            raise validation_error(
                f"Unable to perform update/upsert by non-unique {TYPE_ID_BY_NAME[name]} "
                f"property: {prop}"
            )
    typed = [coerce_properties(table.schema, i.get("properties"), creating=True) for i in items]
    results = []
    with app.world.lock:
        now = app.clock.now()
        for item, values in zip(items, typed, strict=True):
            prop, raw = item.get("idProperty"), str(item.get("id", ""))
            rid = app.find_id(table, raw, prop)
            if rid is None and prop in unique and raw:
                values = {prop: raw, **values}
            if rid is None:
                check_unique(app, table, values, None)
                record = create_record(app, table, values, now)
            else:
                check_unique(app, table, values, rid)
                record = update_record(table, rid, values, now)
            out = render_written(table, record, list(values))
            out["new"] = rid is None
            results.append(out)
    return batch_response(results, [], requested, app.clock.now())


def batch_archive(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    _, table = resolve_table(app.world.hubspot, object_type)
    items = [_item(i) for i in inputs(body(request))]
    with app.world.lock:
        now = app.clock.now()
        for item in items:
            rid = str(item.get("id", ""))
            if table.get(rid) is not None:
                table.soft_delete(rid, now)
    return json_response(None, 204)


def register(app: HubSpotEmulator) -> None:
    for verb, handler in (
        ("create", batch_create),
        ("update", batch_update),
        ("upsert", batch_upsert),
        ("archive", batch_archive),
    ):
        app.add_route(
            f"/crm/v3/objects/<object_type>/batch/{verb}",
            lambda request, object_type, _h=handler: _h(app, request, object_type),
            ["POST"],
            endpoint=f"POST /crm/v3/objects/<type>/batch/{verb}",
        )
