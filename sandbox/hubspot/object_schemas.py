"""The CRM object schemas API (``/crm/v3/schemas``, also at ``/crm-object-schemas/v3``).

``GET /crm/v3/schemas`` lists the portal's *custom* object schemas (``metaType:
PORTAL_SPECIFIC``; the sandbox portal has one, store visits); Singer's tap-hubspot and
Airbyte's source-hubspot call it at start-up to discover custom objects.
``GET /crm/v3/schemas/{objectType}`` also describes the standard objects, by name or type
id, with ``metaType: HUBSPOT`` and the same property definitions as the properties API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error
from sandbox.hubspot.objects import SINGULAR, TYPE_ID_BY_NAME, resolve_type
from sandbox.hubspot.properties import property_definitions
from sandbox.hubspot.schema import ASSOCIATION_TYPES
from sandbox.hubspot.schema_custom import CUSTOM_OBJECTS

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]

_PREFIXES = ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas")
# HubSpot stamps its standard objects' schemas with the epoch.
_EPOCH = "1970-01-01T00:00:00Z"
_PRIMARY_DISPLAY = {
    "contacts": "firstname",
    "companies": "name",
    "deals": "dealname",
    "tickets": "subject",
    "products": "name",
    "line_items": "name",
    "quotes": "hs_title",
    "leads": "hs_lead_name",
    "goal_targets": "hs_goal_name",
}


def list_schemas(app: HubSpotEmulator, request: Request) -> Response:
    # Custom object types only.
    return json_response({"results": [_schema(app, name) for name in CUSTOM_OBJECTS]})


def _associations(name: str) -> list[dict[str, Any]]:
    type_id = TYPE_ID_BY_NAME[name]
    return [
        {
            "id": str(assoc_id),
            "fromObjectTypeId": type_id,
            "toObjectTypeId": TYPE_ID_BY_NAME[to_type],
            "name": f"{SINGULAR[name]}_to_{SINGULAR[to_type]}".upper(),
            "createdAt": None,
            "updatedAt": None,
        }
        for (from_type, to_type), assoc_id in sorted(ASSOCIATION_TYPES.items())
        if from_type == name and to_type in TYPE_ID_BY_NAME
    ]


def get_schema(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    name = resolve_type(app.world.hubspot, object_type)
    if name not in TYPE_ID_BY_NAME:  # deal splits: served as objects, with no schema
        raise hs_error(400, f"Unable to infer object type from: {object_type}", "VALIDATION_ERROR")
    return json_response(_schema(app, name))


def _schema(app: HubSpotEmulator, name: str) -> dict[str, Any]:
    type_id = TYPE_ID_BY_NAME[name]
    singular = SINGULAR[name]
    primary = _PRIMARY_DISPLAY.get(name, "hs_createdate")
    short, labels, meta = (
        singular.upper(),
        {
            "singular": singular.replace("_", " ").title(),
            "plural": name.replace("_", " ").title(),
        },
        "HUBSPOT",
    )
    if name in CUSTOM_OBJECTS:
        short, one, many, primary = CUSTOM_OBJECTS[name]
        labels, meta = {"singular": one, "plural": many}, "PORTAL_SPECIFIC"
    return {
        "id": type_id.split("-", 1)[1],
        "name": short,
        "fullyQualifiedName": name if name in CUSTOM_OBJECTS else short,
        "objectTypeId": type_id,
        "labels": labels,
        "metaType": meta,
        "primaryDisplayProperty": primary,
        "requiredProperties": [],
        "searchableProperties": [primary],
        "secondaryDisplayProperties": [],
        "properties": property_definitions(app, name),
        "associations": _associations(name),
        "archived": False,
        "restorable": True,
        "createdAt": _EPOCH,
        "updatedAt": _EPOCH,
        "createdByUserId": None,
        "updatedByUserId": None,
    }


def register(app: HubSpotEmulator) -> None:
    for prefix in _PREFIXES:
        app.add_route(
            prefix,
            lambda request: list_schemas(app, request),
            ["GET"],
            endpoint=f"GET {prefix}",
        )
        app.add_route(
            f"{prefix}/<object_type>",
            lambda request, object_type: get_schema(app, request, object_type),
            ["GET"],
            endpoint=f"GET {prefix}/<type>",
        )
