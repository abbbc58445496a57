"""Marketing forms: ``GET /marketing/v3/forms`` (Forms API v3).

The sandbox portal captures its web leads through tracking sources, not HubSpot forms: it
has none, and answers ``{"results": []}`` as a new portal does, after checking the query
as HubSpot does (``limit`` 1-500, ``after``, ``archived``, ``formTypes`` repeated).
The legacy property list of forms (``/properties/v2/form/properties``, read by Airbyte's
source-hubspot for its ``forms`` schema) describes a Forms v3 object's own attributes in the
legacy shape; HubSpot's exact list for forms was not checked against a real portal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import validation_error

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["FORM_TYPES", "register"]

FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment", "all")
_MAX_LIMIT = 500


def list_forms(app: HubSpotEmulator, request: Request) -> Response:
    raw = request.args.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {_MAX_LIMIT}, got {raw}")
    for kind in request.args.getlist("formTypes"):
        for part in kind.strip("[]").replace("'", "").split(","):
            if part.strip() and part.strip() not in FORM_TYPES:
                raise validation_error(f"Unknown form type: {part.strip()}")
    return json_response({"results": []})


# (name, label, type, fieldType) of a form's attributes
_FORM_PROPERTIES = (
    ("name", "Name", "string", "text"),
    ("formType", "Form type", "enumeration", "select"),
    ("archived", "Archived", "bool", "booleancheckbox"),
    ("createdAt", "Created at", "datetime", "date"),
    ("updatedAt", "Updated at", "datetime", "date"),
)


def form_properties(app: HubSpotEmulator, request: Request) -> Response:
    stamp_ms = int(app.world.anchor.timestamp() * 1000)
    return json_response(
        [
            {
                "name": name,
                "label": label,
                "description": "",
                "groupName": "forminformation",
                "type": kind,
                "fieldType": field_type,
                "options": [
                    {"label": t, "value": t, "displayOrder": i, "hidden": False}
                    for i, t in enumerate(FORM_TYPES)
                ]
                if name == "formType"
                else [],
                "displayOrder": order,
                "hidden": False,
                "readOnlyValue": True,
                "readOnlyDefinition": True,
                "calculated": False,
                "externalOptions": False,
                "deleted": False,
                "hubspotDefined": True,
                "createdAt": stamp_ms,
                "updatedAt": stamp_ms,
            }
            for order, (name, label, kind, field_type) in enumerate(_FORM_PROPERTIES)
        ]
    )


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/marketing/v3/forms",
        lambda request: list_forms(app, request),
        ["GET"],
        endpoint="GET /marketing/v3/forms",
    )
    app.add_route(
        "/properties/v2/form/properties",
        lambda request: form_properties(app, request),
        ["GET"],
        endpoint="GET /properties/v2/form/properties",
    )
