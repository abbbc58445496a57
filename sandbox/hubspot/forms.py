"""Marketing forms: ``GET /marketing/v3/forms`` (Forms API v3).

The sandbox portal has three HubSpot forms (``sandbox.hubspot.marketing_data``): they are
listed after checking the query as HubSpot does (``limit`` 1-500, ``after``, ``archived``,
``formTypes`` repeated; without ``formTypes`` only ``hubspot`` forms, which all three are).
Their submissions are served by ``sandbox.hubspot.marketing``.
The legacy property list of forms (``/properties/v2/form/properties``, read by Airbyte's
source-hubspot for its ``forms`` schema) describes a Forms v3 object's own attributes in the
legacy shape; HubSpot's exact list for forms was not checked against a real portal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.marketing_data import FORMS

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["FORM_TYPES", "register"]

FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment", "all")
_MAX_LIMIT = 500


def list_forms(app: HubSpotEmulator, request: Request) -> Response:
    raw = request.args.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {_MAX_LIMIT}, got {raw}")
    wanted: set[str] = set()
    for kind in request.args.getlist("formTypes"):
        for part in kind.strip("[]").replace("'", "").split(","):
            if part.strip() and part.strip() not in FORM_TYPES:
                raise validation_error(f"Unknown form type: {part.strip()}")
            wanted.add(part.strip())
    if request.args.get("archived", "false") == "true" or (
        wanted and not wanted & {"hubspot", "all"}
    ):
        return json_response({"results": []})
    created = _iso(app.world.anchor - timedelta(days=400))
    return json_response(
        {
            "results": [
                {
                    "id": form.guid,
                    "name": form.name,
                    "formType": "hubspot",
                    "createdAt": created,
                    "updatedAt": created,
                    "archived": False,
                    "fieldGroups": [
                        {"groupType": "default_group", "fields": _FIELDS, "richTextType": "text"}
                    ],
                }
                for form in FORMS
            ][: int(raw)]
        }
    )


_FIELDS = [
    {"objectTypeId": "0-1", "name": name, "label": label, "required": name == "email"}
    for name, label in (("email", "Email"), ("firstname", "First name"), ("lastname", "Last name"))
]


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


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
