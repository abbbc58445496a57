"""Associations v4 batch endpoints: read, create and archive links for many records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.associations import check_pair, labels_pair, linked_objects
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.objects import SINGULAR, resolve_type
from sandbox.hubspot.params import ASSOCIATION_READ_MAX, body, inputs
from sandbox.hubspot.responses import batch_response
from sandbox.hubspot.schema import ASSOCIATION_TYPES, PRIMARY_ASSOCIATION_TYPES

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]


def batch_read(app: HubSpotEmulator, request: Request, from_raw: str, to_raw: str) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    requested = app.clock.now()
    items = inputs(body(request), ASSOCIATION_READ_MAX)
    results, errors = [], []
    with app.world.lock:
        for item in items:
            rid = str(item.get("id", "")) if isinstance(item, dict) else ""
            linked = linked_objects(app, from_type, rid, to_type)
            if linked:
                results.append({"from": {"id": rid}, "to": linked})
                continue
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                    "message": f"No {SINGULAR[to_type]} is associated with "
                    f"{SINGULAR[from_type]} {rid}.",
                    "context": {"fromObjectId": [rid]},
                }
            )
    return batch_response(results, errors, requested, app.clock.now())


def batch_create(app: HubSpotEmulator, request: Request, from_raw: str, to_raw: str) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    requested = app.clock.now()
    items = inputs(body(request))
    results = []
    with app.world.lock:
        parsed = []
        for item in items:
            try:
                from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
                type_ids = {int(t["associationTypeId"]) for t in item.get("types") or []}
            except (KeyError, TypeError, ValueError):
                raise validation_error("Invalid association input") from None
            allowed = {
                ASSOCIATION_TYPES[(from_type, to_type)],
                PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type)),
            }
            if not type_ids or not type_ids <= allowed:
                raise validation_error(f"Invalid association type ids {sorted(type_ids)}")
            check_pair(app, from_type, from_id, to_type, to_id)
            primary = PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type)) in type_ids
            parsed.append((from_id, to_id, primary))
        for from_id, to_id, primary in parsed:
            app.world.hubspot_associations.add(from_type, from_id, to_type, to_id, primary)
            results.append(labels_pair(from_type, from_id, to_type, to_id))
    return batch_response(results, [], requested, app.clock.now(), ok_status=201)


def batch_archive(app: HubSpotEmulator, request: Request, from_raw: str, to_raw: str) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    items = inputs(body(request))
    with app.world.lock:
        for item in items:
            try:
                from_id = str(item["from"]["id"])
                to_ids = [str(t["id"]) for t in item["to"]]
            except (KeyError, TypeError):
                raise validation_error("Invalid association input") from None
            for to_id in to_ids:
                app.world.hubspot_associations.remove(from_type, from_id, to_type, to_id)
    return json_response(None, 204)


def register(app: HubSpotEmulator) -> None:
    batch = "/crm/v4/associations/<from_raw>/<to_raw>/batch"
    app.add_route(
        f"{batch}/read",
        lambda request, **kw: batch_read(app, request, **kw),
        ["POST"],
        endpoint="POST /crm/v4/associations/<from>/<to>/batch/read",
    )
    app.add_route(
        f"{batch}/create",
        lambda request, **kw: batch_create(app, request, **kw),
        ["POST"],
        endpoint="POST /crm/v4/associations/<from>/<to>/batch/create",
    )
    app.add_route(
        f"{batch}/archive",
        lambda request, **kw: batch_archive(app, request, **kw),
        ["POST"],
        endpoint="POST /crm/v4/associations/<from>/<to>/batch/archive",
    )
