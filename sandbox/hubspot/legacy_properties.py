"""The legacy property lists maintained clients still read.

- ``GET /properties/v1/{contacts|companies|deals}/properties`` (Singer's tap-hubspot);
- ``GET /companies/v2/properties``, the Companies API v2's own list (tap-hubspot's companies);
- ``GET /properties/v2/{objectType}/properties``, the "CRM Object Properties" API, where the
  type may be singular as Airbyte's source-hubspot sends it (``contact``, ``deal``).

Both answer a bare JSON array (no ``results`` envelope) with epoch-millisecond timestamps
and the legacy flags (``readOnlyValue``, ``deleted``, ``favorited``...). The definitions are
the same ones ``/crm/v3/properties/{objectType}`` serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.objects import SINGULAR
from sandbox.hubspot.properties import property_definitions

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["V1_OBJECTS", "register"]

# The object types v1 has a properties endpoint for (its other objects never had one).
V1_OBJECTS = ("contacts", "companies", "deals")
_PLURAL = {singular: plural for plural, singular in SINGULAR.items()}


def _v1(prop: dict[str, Any], stamp_ms: int) -> dict[str, Any]:
    meta = prop["modificationMetadata"]
    return {
        "name": prop["name"],
        "label": prop["label"],
        "description": prop["description"],
        "groupName": prop["groupName"],
        "type": prop["type"],
        "fieldType": prop["fieldType"],
        "options": [
            {
                "description": "",
                "label": o["label"],
                "value": o["value"],
                "displayOrder": o["displayOrder"],
                "hidden": o["hidden"],
                "readOnly": False,
            }
            for o in prop["options"]
        ],
        "displayOrder": prop["displayOrder"],
        "formField": prop["formField"],
        "readOnlyValue": meta["readOnlyValue"],
        "readOnlyDefinition": meta["readOnlyDefinition"],
        "hidden": prop["hidden"],
        "mutableDefinitionNotDeletable": not meta["archivable"],
        "favorited": False,
        "favoritedOrder": -1,
        "calculated": prop["calculated"],
        "externalOptions": prop["externalOptions"],
        "displayMode": "current_value",
        "deleted": False,
        "hubspotDefined": prop["hubspotDefined"],
        "createdAt": stamp_ms,
        "updatedAt": stamp_ms,
        "createdUserId": None,
        "updatedUserId": None,
    }


def list_legacy(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    object_type = _PLURAL.get(object_type.lower(), object_type)
    stamp_ms = int(app.world.anchor.timestamp() * 1000)
    props = property_definitions(app, object_type)
    return json_response([_v1(p, stamp_ms) for p in props])


def register(app: HubSpotEmulator) -> None:
    for object_type in V1_OBJECTS:
        app.add_route(
            f"/properties/v1/{object_type}/properties",
            lambda request, t=object_type: list_legacy(app, request, t),
            ["GET"],
            endpoint=f"GET /properties/v1/{object_type}/properties",
        )
    app.add_route(
        "/companies/v2/properties",
        lambda request: list_legacy(app, request, "companies"),
        ["GET"],
        endpoint="GET /companies/v2/properties",
    )
    app.add_route(
        "/properties/v2/<object_type>/properties",
        lambda request, object_type: list_legacy(app, request, object_type),
        ["GET"],
        endpoint="GET /properties/v2/<type>/properties",
    )
