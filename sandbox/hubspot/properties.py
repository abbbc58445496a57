"""The properties API: read property definitions and create custom properties."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error, validation_error
from sandbox.hubspot.objects import ENGAGEMENT_GROUP, resolve_table
from sandbox.hubspot.params import archived_flag, body
from sandbox.hubspot.render import iso
from sandbox.schema import Field, FieldType

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["property_definitions", "register"]

_HS_TYPE = {
    "picklist": "enumeration",
    "reference": "enumeration",
    "int": "number",
    "double": "number",
    "currency": "number",
    "percent": "number",
    "boolean": "bool",
    "date": "date",
    "datetime": "datetime",
}
_FIELD_TYPE = {
    "textarea": "textarea",
    "phone": "phonenumber",
    "picklist": "select",
    "reference": "select",
    "int": "number",
    "double": "number",
    "currency": "number",
    "percent": "number",
    "boolean": "booleancheckbox",
    "date": "date",
    "datetime": "date",
}
_EXTERNAL = {"dealstage", "pipeline", "hs_pipeline", "hs_pipeline_stage", "hubspot_owner_id"}
_CALCULATED = {"hs_is_closed", "hs_is_closed_won", "time_to_close", "hs_object_id"}
_CREATE_TYPES: dict[str, FieldType] = {
    "string": "string",
    "number": "double",
    "date": "date",
    "datetime": "datetime",
    "enumeration": "picklist",
    "bool": "boolean",
}
_GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "tickets": "ticketinformation",
}


def _render(app: HubSpotEmulator, object_type: str, field: Field, order: int) -> dict[str, Any]:
    meta = app.property_meta.get((object_type, field.name), {})
    options = meta.get("options")
    if options is None:
        options = [
            {"label": v.replace("_", " ").title(), "value": v, "displayOrder": i, "hidden": False}
            for i, v in enumerate(field.picklist)
        ]
    if field.type == "boolean" and not options:
        options = [
            {"label": "Yes", "value": "true", "displayOrder": 0, "hidden": False},
            {"label": "No", "value": "false", "displayOrder": 1, "hidden": False},
        ]
    stamp = iso(app.world.anchor)
    return {
        "updatedAt": stamp,
        "createdAt": stamp,
        "name": field.name,
        "label": field.display_label,
        "type": meta.get("type") or _HS_TYPE.get(field.type, "string"),
        "fieldType": meta.get("fieldType") or _FIELD_TYPE.get(field.type, "text"),
        "description": meta.get("description", ""),
        "groupName": meta.get("groupName") or _GROUPS.get(object_type, ENGAGEMENT_GROUP),
        "options": [] if field.name in _EXTERNAL else options,
        "displayOrder": meta.get("displayOrder", order),
        "calculated": field.name in _CALCULATED,
        "externalOptions": field.name in _EXTERNAL,
        "hasUniqueValue": field.name in app.unique_properties.get(object_type, set()),
        "hidden": False,
        "hubspotDefined": not field.custom,
        "modificationMetadata": {
            "archivable": field.custom,
            "readOnlyDefinition": not field.custom,
            "readOnlyValue": not field.updateable,
        },
        "formField": field.type not in ("datetime",) and field.updateable,
        "archived": False,
    }


def property_definitions(app: HubSpotEmulator, object_type: str) -> list[dict[str, Any]]:
    """Every (unarchived) property of an object type, rendered as CRM v3 serves it."""
    name, table = resolve_table(app.world.hubspot, object_type)
    with app.world.lock:
        return [_render(app, name, f, i) for i, f in enumerate(table.schema.fields)]


def list_properties(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    if archived_flag(request):
        resolve_table(app.world.hubspot, object_type)
        return json_response({"results": []})
    return json_response({"results": property_definitions(app, object_type)})


def get_property(app: HubSpotEmulator, request: Request, object_type: str, prop: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    with app.world.lock:
        field = table.schema.field(prop)
        if field is None:
            raise hs_error(
                404,
                f"Unable to find property {prop} on object {name}",
                "OBJECT_NOT_FOUND",
                context={"propertyName": [prop]},
            )
        out = _render(app, name, field, table.schema.fields.index(field))
    return json_response(out)


def create_property(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name, table = resolve_table(app.world.hubspot, object_type)
    data = body(request)
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not data.get(k)]
    if missing:
        raise validation_error(f"Missing required fields: {', '.join(missing)}")
    prop, hs_type = str(data["name"]), str(data["type"])
    if hs_type not in _CREATE_TYPES:
        raise validation_error(f"Invalid property type: {hs_type}")
    kind = _CREATE_TYPES[hs_type]
    if kind == "string" and data["fieldType"] == "textarea":
        kind = "textarea"
    options = data.get("options") or []
    values = tuple(str(o.get("value")) for o in options if isinstance(o, dict))
    field = Field(prop, kind, label=str(data["label"]), custom=True, picklist=values)
    with app.world.lock:
        if table.schema.field(prop) is not None:
            raise hs_error(409, f"A property named '{prop}' already exists.", "CONFLICT")
        table.schema.add_field(field)
        app.property_meta[(name, prop)] = {
            "type": hs_type,
            "fieldType": data["fieldType"],
            "groupName": data["groupName"],
            "description": data.get("description", ""),
            "displayOrder": data.get("displayOrder", -1),
            "options": [
                {
                    "label": o.get("label", o.get("value")),
                    "value": o.get("value"),
                    "displayOrder": o.get("displayOrder", i),
                    "hidden": bool(o.get("hidden", False)),
                }
                for i, o in enumerate(options)
                if isinstance(o, dict)
            ],
        }
        if data.get("hasUniqueValue"):
            app.unique_properties.setdefault(name, set()).add(prop)
        out = _render(app, name, field, len(table.schema.fields) - 1)
    return json_response(out, 201)


def register(app: HubSpotEmulator) -> None:
    base = "/crm/v3/properties/<object_type>"
    app.add_route(
        base,
        lambda request, object_type: list_properties(app, request, object_type),
        ["GET"],
        endpoint="GET /crm/v3/properties/<type>",
    )
    app.add_route(
        base,
        lambda request, object_type: create_property(app, request, object_type),
        ["POST"],
        endpoint="POST /crm/v3/properties/<type>",
    )
    app.add_route(
        f"{base}/<prop>",
        lambda request, object_type, prop: get_property(app, request, object_type, prop),
        ["GET"],
        endpoint="GET /crm/v3/properties/<type>/<name>",
    )
