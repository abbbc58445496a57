"""Writing records: shared create/update helpers and the single-record endpoints.

Creates and updates stamp the object's modified property (and ``updatedAt``) from the
sandbox clock, and creates stamp ``hs_created_by_user_id`` with the token's user;
archiving does not touch it, like HubSpot. Caller holds ``world.lock`` around the
helpers.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.associations import link_from_specs, validate_specs
from sandbox.hubspot.errors import hs_error, object_not_found, validation_error
from sandbox.hubspot.objects import SINGULAR, resolve_table
from sandbox.hubspot.params import body
from sandbox.hubspot.render import render_record, select_properties
from sandbox.hubspot.schema import PRIMARY_ASSOCIATION_TYPES, TICKET_PIPELINES
from sandbox.hubspot.values import coerce_properties
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["check_unique", "create_record", "register", "render_written", "update_record"]


def check_unique(
    app: HubSpotEmulator, table: Table, typed: dict[str, Any], own_id: str | None
) -> None:
    """409 CONFLICT when a unique property value is already taken by another record."""
    for prop in sorted(app.unique_properties.get(table.name, set())):
        value = typed.get(prop)
        if value is None:
            continue
        existing = app.cache.unique_index(table, prop).get(str(value).lower())
        if existing is not None and existing != own_id:
            kind = SINGULAR[table.name].capitalize()
            raise hs_error(409, f"{kind} already exists. Existing ID: {existing}", "CONFLICT")


# Ticket stages that close a ticket: moving into one stamps ``closed_date``, like HubSpot.
_CLOSED_TICKET_STAGES = {
    stage
    for _pipeline, _label, stages in TICKET_PIPELINES
    for stage, *_, closed, _won in stages
    if closed
}


def _stamp_ticket_close(
    table: Table, typed: dict[str, Any], before: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    """HubSpot sets a ticket's read-only ``closed_date`` when it enters a closed stage and
    clears it when the ticket is reopened."""
    if table.name != "tickets" or "hs_pipeline_stage" not in typed:
        return typed
    closing = str(typed["hs_pipeline_stage"]) in _CLOSED_TICKET_STAGES
    already = before is not None and before.get("closed_date") is not None
    if closing and not already:
        return {**typed, "closed_date": typed.get("closed_date") or now}
    if not closing:
        return {**typed, "closed_date": None}
    return typed


_SOURCE_PROPERTIES = ("hs_analytics_source", "hs_latest_source")


def create_record(
    app: HubSpotEmulator, table: Table, typed: dict[str, Any], now: datetime
) -> dict[str, Any]:
    typed = _stamp_ticket_close(table, typed, None, now)
    rid = app.world.mint("hubspot", table.name)
    while rid in table.rows or rid in table.purged:  # tables seeded without minting
        rid = app.world.mint("hubspot", table.name)
    created = table.schema.created_fields[0]
    record: dict[str, Any] = {"id": rid, **typed, "hs_object_id": int(rid)}
    # HubSpot stamps the creator: the user the token acts for.
    record["hs_created_by_user_id"] = app.api_user_id()
    record[created] = typed.get(created) or now
    for name in table.schema.modified_fields:
        record[name] = now
    # HubSpot sets the read-only original source of a record created through the API
    # (or an import) to "Offline sources": never empty there.
    for name in _SOURCE_PROPERTIES:
        if table.schema.field(name) is not None and not record.get(name):
            record[name] = "OFFLINE"
    return table.insert(record)


def update_record(table: Table, rid: str, typed: dict[str, Any], now: datetime) -> dict[str, Any]:
    typed = _stamp_ticket_close(table, typed, table.rows.get(rid), now)
    return table.update(rid, typed, when=now)


def render_written(table: Table, record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """A written record as HubSpot echoes it: the properties sent plus the defaults."""
    return render_record(table, record, select_properties(table.schema, names))


def create_one(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    data = body(request)
    typed = coerce_properties(table.schema, data.get("properties"), creating=True)
    specs = data.get("associations") or []
    with app.world.lock:
        validate_specs(app, name, specs)
        check_unique(app, table, typed, None)
        record = create_record(app, table, typed, app.clock.now())
        link_from_specs(app, name, record["id"], specs)
        out = render_written(table, record, list(typed))
    return json_response(out, 201)


def update_one(
    app: HubSpotEmulator, request: Request, object_type: str, object_id: str
) -> Response:
    _name, table = resolve_table(app.world.hubspot, object_type)
    data = body(request)
    typed = coerce_properties(table.schema, data.get("properties"), creating=False)
    with app.world.lock:
        rid = app.find_id(table, object_id, request.args.get("idProperty"))
        if rid is None:
            raise object_not_found(object_id)
        check_unique(app, table, typed, rid)
        record = update_record(table, rid, typed, app.clock.now())
        out = render_written(table, record, list(typed))
    return json_response(out)


def archive_one(
    app: HubSpotEmulator, request: Request, object_type: str, object_id: str
) -> Response:
    _, table = resolve_table(app.world.hubspot, object_type)
    with app.world.lock:
        if table.get(object_id) is not None:
            table.soft_delete(object_id, app.clock.now())
    return json_response(None, 204)


def merge(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    """Merge ``objectIdToMerge`` into ``primaryObjectId``; the merged record vanishes."""
    name, table = resolve_table(app.world.hubspot, object_type)
    if name not in ("contacts", "companies"):
        raise validation_error(f"Merging is not supported for {name}")
    data = body(request)
    primary, merged = str(data.get("primaryObjectId", "")), str(data.get("objectIdToMerge", ""))
    if not primary or not merged or primary == merged:
        raise validation_error("primaryObjectId and objectIdToMerge must be two different ids")
    links = app.world.hubspot_associations
    with app.world.lock:
        for rid in (primary, merged):
            if table.get(rid) is None:
                raise object_not_found(rid)
        keep, gone = table.rows[primary], table.rows[merged]
        now = app.clock.now()
        changes: dict[str, Any] = {}
        ids = [i for i in str(keep.get("hs_merged_object_ids") or "").split(";") if i]
        changes["hs_merged_object_ids"] = ";".join([*ids, merged])
        if name == "contacts" and gone.get("email") and gone.get("email") != keep.get("email"):
            extra = [e for e in str(keep.get("hs_additional_emails") or "").split(";") if e]
            changes["hs_additional_emails"] = ";".join([*extra, gone["email"]])
        # The primary inherits the merged record's associations.
        for (a, b), by_id in list(links.links.items()):
            if a != name:
                continue
            for to_id, type_ids in list(by_id.get(merged, {}).items()):
                is_primary = PRIMARY_ASSOCIATION_TYPES.get((a, b)) in type_ids
                links.add(a, primary, b, to_id, primary=is_primary)
        links.drop_record(name, merged)
        table.purge(merged, now)
        record = update_record(table, primary, changes, now)
        out = render_written(table, record, list(changes))
    return json_response(out)


def register(app: HubSpotEmulator) -> None:
    base = "/crm/v3/objects/<object_type>"
    app.add_route(
        base,
        lambda request, object_type: create_one(app, request, object_type),
        ["POST"],
        endpoint="POST /crm/v3/objects/<type>",
    )
    app.add_route(
        f"{base}/<object_id>",
        lambda request, object_type, object_id: update_one(app, request, object_type, object_id),
        ["PATCH"],
        endpoint="PATCH /crm/v3/objects/<type>/<id>",
    )
    app.add_route(
        f"{base}/<object_id>",
        lambda request, object_type, object_id: archive_one(app, request, object_type, object_id),
        ["DELETE"],
        endpoint="DELETE /crm/v3/objects/<type>/<id>",
    )
    app.add_route(
        f"{base}/merge",
        lambda request, object_type: merge(app, request, object_type),
        ["POST"],
        endpoint="POST /crm/v3/objects/<type>/merge",
    )
