"""Reading records: the list endpoint, get by id, and batch read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import object_not_found, validation_error
from sandbox.hubspot.history import property_history
from sandbox.hubspot.objects import SINGULAR, resolve_table, resolve_type
from sandbox.hubspot.params import (
    archived_flag,
    body,
    inputs,
    limit_param,
    list_param,
)
from sandbox.hubspot.render import Selection, render_record, select_properties
from sandbox.hubspot.responses import batch_response, next_link, not_found_error
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]


def _associations(app: HubSpotEmulator, name: str, rid: str, to_types: list[str]) -> dict:
    out: dict[str, Any] = {}
    links = app.world.hubspot_associations
    for to in to_types:
        items: list[dict[str, Any]] = []
        table = app.world.hubspot[to]
        for to_id, type_ids in sorted(links.get(name, rid, to).items(), key=lambda p: int(p[0])):
            if table.get(to_id) is None:
                continue  # archived or merged away: hidden, as in v4 and in HubSpot
            items.extend(
                {"id": to_id, "type": label} for label in app.v3_labels(name, to, type_ids)
            )
        if items:
            out[to] = {"results": items}
    return out


def _render(
    app: HubSpotEmulator,
    table: Table,
    record: dict[str, Any],
    selection: Selection,
    history: list[str],
    to_types: list[str],
) -> dict[str, Any]:
    out = render_record(table, record, selection)
    if history:
        out["propertiesWithHistory"] = property_history(app.world, table, record, history)
    if to_types:
        assoc = _associations(app, table.name, record["id"], to_types)
        if assoc:
            out["associations"] = assoc
    return out


def list_objects(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    _name, table = resolve_table(app.world.hubspot, object_type)
    history = list_param(request, "propertiesWithHistory")
    limit = limit_param(request, 10, 50 if history else 100)
    archived = archived_flag(request)
    selection = select_properties(table.schema, list_param(request, "properties"))
    to_types = [resolve_type(app.world.hubspot, t) for t in list_param(request, "associations")]
    after_raw = request.args.get("after") or "0"
    try:
        after = int(after_raw)
    except ValueError:
        raise validation_error(f"Invalid after: {after_raw}") from None
    with app.world.lock:
        order = app.cache.id_order(table, archived)
        start = order.position(after)
        ids = order.ids[start : start + limit]
        results = [_render(app, table, table.rows[i], selection, history, to_types) for i in ids]
        more = start + limit < len(order.ids)
    payload: dict[str, Any] = {"results": results}
    if more:
        cursor = str(int(ids[-1]) + 1)
        payload["paging"] = {"next": {"after": cursor, "link": next_link(request, cursor)}}
    return json_response(payload)


def get_object(
    app: HubSpotEmulator, request: Request, object_type: str, object_id: str
) -> Response:
    _name, table = resolve_table(app.world.hubspot, object_type)
    archived = archived_flag(request)
    selection = select_properties(table.schema, list_param(request, "properties"))
    history = list_param(request, "propertiesWithHistory")
    to_types = [resolve_type(app.world.hubspot, t) for t in list_param(request, "associations")]
    with app.world.lock:
        rid = app.find_id(table, object_id, request.args.get("idProperty"), archived)
        if rid is None:
            raise object_not_found(object_id)
        out = _render(app, table, table.rows[rid], selection, history, to_types)
    return json_response(out)


def batch_read(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    requested_at = app.clock.now()
    data = body(request)
    items = inputs(data)
    archived = archived_flag(request)
    selection = select_properties(table.schema, data.get("properties") or [])
    history = data.get("propertiesWithHistory") or []
    id_property = data.get("idProperty")
    results, missing = [], []
    with app.world.lock:
        for item in items:
            raw = str(item.get("id", "")) if isinstance(item, dict) else ""
            rid = app.find_id(table, raw, id_property, archived)
            if rid is None:
                missing.append(raw)
                continue
            results.append(_render(app, table, table.rows[rid], selection, history, []))
    errors = []
    if missing:
        kind = SINGULAR[name].upper()
        message = (
            f"Could not get some {kind} objects, they may be deleted or not exist. "
            "Check that ids are valid."
        )
        errors.append(not_found_error(message, missing))
    return batch_response(results, errors, requested_at, app.clock.now())


def register(app: HubSpotEmulator) -> None:
    base = "/crm/v3/objects/<object_type>"
    app.add_route(
        base,
        lambda request, object_type: list_objects(app, request, object_type),
        ["GET"],
        endpoint="GET /crm/v3/objects/<type>",
    )
    # The same list under v4, in the v3 shape (Singer's tap-hubspot lists tickets there).
    app.add_route(
        "/crm/v4/objects/<object_type>",
        lambda request, object_type: list_objects(app, request, object_type),
        ["GET"],
        endpoint="GET /crm/v4/objects/<type>",
    )
    app.add_route(
        f"{base}/<object_id>",
        lambda request, object_type, object_id: get_object(app, request, object_type, object_id),
        ["GET"],
        endpoint="GET /crm/v3/objects/<type>/<id>",
    )
    app.add_route(
        f"{base}/batch/read",
        lambda request, object_type: batch_read(app, request, object_type),
        ["POST"],
        endpoint="POST /crm/v3/objects/<type>/batch/read",
    )
