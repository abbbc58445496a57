"""Associations v4 for one record, plus the helpers writes use to link records on create.

Associations to archived or merged-away records are hidden, like in HubSpot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.objects import SINGULAR, TYPE_ID_BY_NAME, resolve_type
from sandbox.hubspot.responses import batch_response, next_link
from sandbox.hubspot.schema import ASSOCIATION_TYPES, PRIMARY_ASSOCIATION_TYPES

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = [
    "check_pair",
    "labels_pair",
    "link_from_specs",
    "linked_objects",
    "register",
    "validate_specs",
]

# (from type, type id) -> to type
_TARGET = {
    (a, type_id): b
    for table in (ASSOCIATION_TYPES, PRIMARY_ASSOCIATION_TYPES)
    for (a, b), type_id in table.items()
}


def _specs_target(from_type: str, spec: Any) -> tuple[str, str, bool]:
    """(to type, to id, primary?) of one v3 create ``associations`` item."""
    try:
        to_id = str(spec["to"]["id"])
        types = spec["types"]
        type_ids = [int(t["associationTypeId"]) for t in types]
    except (KeyError, TypeError, ValueError):
        raise validation_error("Invalid association input") from None
    targets = {_TARGET.get((from_type, t)) for t in type_ids}
    if not type_ids or None in targets or len(targets) != 1:
        raise validation_error(f"Invalid association type ids {type_ids} for {from_type}")
    to_type = targets.pop()
    assert to_type is not None
    primary = PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type)) in type_ids
    return to_type, to_id, primary


def validate_specs(app: HubSpotEmulator, from_type: str, specs: Any) -> None:
    if not isinstance(specs, list):
        raise validation_error("associations must be a list")
    for spec in specs:
        to_type, to_id, _ = _specs_target(from_type, spec)
        if app.world.hubspot[to_type].get(to_id) is None:
            raise validation_error(
                f"{SINGULAR[to_type].capitalize()} {to_id} does not exist or is archived"
            )


def link_from_specs(app: HubSpotEmulator, from_type: str, from_id: str, specs: Any) -> None:
    for spec in specs or []:
        to_type, to_id, primary = _specs_target(from_type, spec)
        app.world.hubspot_associations.add(from_type, from_id, to_type, to_id, primary=primary)


def _types(from_type: str, to_type: str, type_ids: set[int]) -> list[dict[str, Any]]:
    primary = PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type))
    return [
        {"category": "HUBSPOT_DEFINED", "typeId": t, "label": "Primary" if t == primary else None}
        for t in sorted(type_ids)
    ]


def linked_objects(app: HubSpotEmulator, from_type: str, rid: str, to_type: str) -> list[dict]:
    table = app.world.hubspot[to_type]
    pairs = app.world.hubspot_associations.get(from_type, rid, to_type).items()
    return [
        {"toObjectId": int(to_id), "associationTypes": _types(from_type, to_type, type_ids)}
        for to_id, type_ids in sorted(pairs, key=lambda p: int(p[0]))
        if table.get(to_id) is not None
    ]


def list_associations(
    app: HubSpotEmulator, request: Request, from_raw: str, object_id: str, to_raw: str
) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    limit = min(max(int(request.args.get("limit") or 500), 1), 500)
    start = int(request.args.get("after") or 0)
    with app.world.lock:
        linked = linked_objects(app, from_type, object_id, to_type)
    payload: dict[str, Any] = {"results": linked[start : start + limit]}
    if start + limit < len(linked):
        cursor = str(start + limit)
        payload["paging"] = {"next": {"after": cursor, "link": next_link(request, cursor)}}
    return json_response(payload)


def check_pair(
    app: HubSpotEmulator, from_type: str, from_id: str, to_type: str, to_id: str
) -> None:
    for kind, rid in ((from_type, from_id), (to_type, to_id)):
        if app.world.hubspot[kind].get(rid) is None:
            raise validation_error(f"{SINGULAR[kind].capitalize()} {rid} does not exist")


def _default_spec(from_type: str, to_type: str) -> dict[str, Any]:
    return {
        "associationCategory": "HUBSPOT_DEFINED",
        "associationTypeId": ASSOCIATION_TYPES[(from_type, to_type)],
    }


def put_default(
    app: HubSpotEmulator, request: Request, from_raw: str, object_id: str, to_raw: str, to_id: str
) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    requested = app.clock.now()
    with app.world.lock:
        check_pair(app, from_type, object_id, to_type, to_id)
        app.world.hubspot_associations.add(from_type, object_id, to_type, to_id)
    result = {
        "from": {"id": object_id},
        "to": {"id": to_id},
        "associationSpec": _default_spec(from_type, to_type),
    }
    return batch_response([result], [], requested, app.clock.now())


def labels_pair(from_type: str, from_id: str, to_type: str, to_id: str) -> dict[str, Any]:
    return {
        "fromObjectTypeId": TYPE_ID_BY_NAME[from_type],
        "fromObjectId": int(from_id),
        "toObjectTypeId": TYPE_ID_BY_NAME[to_type],
        "toObjectId": int(to_id),
        "labels": [],
    }


def put_labelled(
    app: HubSpotEmulator, request: Request, from_raw: str, object_id: str, to_raw: str, to_id: str
) -> Response:
    """``PUT .../associations/{to}/{toId}`` with a body of association specs."""
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    try:
        specs = json_body(request)
        type_ids = {int(s["associationTypeId"]) for s in specs}
    except (ValueError, KeyError, TypeError):
        raise validation_error("Invalid association specs") from None
    allowed = {
        ASSOCIATION_TYPES[(from_type, to_type)],
        PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type)),
    }
    if not type_ids or not type_ids <= allowed:
        raise validation_error(f"Invalid association type ids {sorted(type_ids)}")
    primary = PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type)) in type_ids
    with app.world.lock:
        check_pair(app, from_type, object_id, to_type, to_id)
        app.world.hubspot_associations.add(from_type, object_id, to_type, to_id, primary)
    return json_response(labels_pair(from_type, object_id, to_type, to_id), 201)


def delete_one(
    app: HubSpotEmulator, request: Request, from_raw: str, object_id: str, to_raw: str, to_id: str
) -> Response:
    from_type = resolve_type(app.world.hubspot, from_raw)
    to_type = resolve_type(app.world.hubspot, to_raw)
    with app.world.lock:
        app.world.hubspot_associations.remove(from_type, object_id, to_type, to_id)
    return json_response(None, 204)


def register(app: HubSpotEmulator) -> None:
    obj = "/crm/v4/objects/<from_raw>/<object_id>/associations"
    app.add_route(
        f"{obj}/<to_raw>",
        lambda request, **kw: list_associations(app, request, **kw),
        ["GET"],
        endpoint="GET /crm/v4/objects/<from>/<id>/associations/<to>",
    )
    app.add_route(
        f"{obj}/default/<to_raw>/<to_id>",
        lambda request, **kw: put_default(app, request, **kw),
        ["PUT"],
        endpoint="PUT /crm/v4/objects/<from>/<id>/associations/default/<to>/<toId>",
    )
    app.add_route(
        f"{obj}/<to_raw>/<to_id>",
        lambda request, **kw: put_labelled(app, request, **kw),
        ["PUT"],
        endpoint="PUT /crm/v4/objects/<from>/<id>/associations/<to>/<toId>",
    )
    app.add_route(
        f"{obj}/<to_raw>/<to_id>",
        lambda request, **kw: delete_one(app, request, **kw),
        ["DELETE"],
        endpoint="DELETE /crm/v4/objects/<from>/<id>/associations/<to>/<toId>",
    )
