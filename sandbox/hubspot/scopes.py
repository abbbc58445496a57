"""Scopes: which scope a request needs, and HubSpot's 403 when the app lacks it.

A private app is granted a set of scopes when it is created; the sandbox's app has every
scope unless ``HubSpotEmulator.private_app_scopes`` names a smaller set (as a portal admin
would untick boxes). A request whose scope is missing gets HubSpot's ``MISSING_SCOPES``
body, key for key::

    {"status": "error",
     "message": "This app hasn't been granted all required scopes to make this call. Read more
                 about required scopes here: https://developers.hubspot.com/scopes.",
     "correlationId": "…",
     "errors": [{"message": "One or more of the following scopes are required.",
                 "context": {"requiredGranularScopes": ["crm.objects.deals.read"]}}],
     "links": {"scopes": "https://developers.hubspot.com/scopes"},
     "category": "MISSING_SCOPES"}

Object endpoints need the object's granular ``.read`` scope (``.write`` to change it);
tickets, products and deal splits have the older single scopes HubSpot lists for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import correlation_id
from sandbox.hubspot.objects import OBJECT_TYPE_IDS, SINGULAR
from sandbox.hubspot.schema_custom import CUSTOM_OBJECTS

__all__ = ["MISSING_SCOPES_MESSAGE", "missing_scopes_response", "required_scopes"]

MISSING_SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)
_SCOPES_LINK = "https://developers.hubspot.com/scopes"
_ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
# object type -> granular scope stem (".read"/".write" added) or a whole single scope
_GRANULAR = {
    "contacts": "crm.objects.contacts",
    "companies": "crm.objects.companies",
    "deals": "crm.objects.deals",
    "quotes": "crm.objects.quotes",
    "line_items": "crm.objects.line_items",
    "leads": "crm.objects.leads",
    "goal_targets": "crm.objects.goals",
    **dict.fromkeys(_ENGAGEMENTS, "crm.objects.contacts"),
    **dict.fromkeys(CUSTOM_OBJECTS, "crm.objects.custom"),
}
_SINGLE = {
    "tickets": "tickets",
    "products": "e-commerce",
    "deal_split": "crm.dealsplits.read_write",
}
_PLURAL = {singular: plural for plural, singular in SINGULAR.items()}
_LEGACY = {
    "companies": "companies",
    "deals": "deals",
    "contacts": "contacts",
    "engagements": "calls",
}
_WRITE_VERBS = ("/batch/create", "/batch/update", "/batch/upsert", "/batch/archive", "/merge")
_TYPED = re.compile(r"^/crm/v[34]/(?:objects|properties|pipelines|schemas)/([^/]+)")
_ASSOC = re.compile(r"^/crm/v4/associations/([^/]+)/([^/]+)/")
_V2_PROPS = re.compile(r"^/properties/v[12]/([^/]+)/properties")
_LEGACY_PATH = re.compile(r"^/(companies|deals|contacts|engagements)/v\d+/")


def _type(raw: str) -> str:
    name = OBJECT_TYPE_IDS.get(raw, raw.lower())
    return _PLURAL.get(name, name)


def _scope(object_type: str, write: bool) -> str | None:
    if object_type in _SINGLE:
        return _SINGLE[object_type]
    stem = _GRANULAR.get(object_type)
    if stem is None:
        return None
    return f"{stem}.write" if write else f"{stem}.read"


def _writes(request: Request) -> bool:
    if request.method in ("PATCH", "PUT", "DELETE"):
        return True
    if request.method != "POST":
        return False
    path = request.path.rstrip("/")
    return path.endswith(_WRITE_VERBS) or bool(re.match(r"^/crm/v3/objects/[^/]+$", path))


def required_scopes(request: Request) -> tuple[str, ...]:
    """The scopes ``request`` needs (each one required), in the order HubSpot checks."""
    path = request.path
    if path.startswith("/crm/v3/owners"):
        return ("crm.objects.owners.read",)
    if path.startswith("/settings/v3/users"):
        return ("settings.users.write",) if request.method != "GET" else ("settings.users.read",)
    if path.rstrip("/") in ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas"):
        return ("crm.schemas.custom.read",)
    if path.startswith(("/marketing/v3/forms", "/form-integrations/")):
        return ("forms",)
    if path.startswith("/email/public/v1/"):
        return ("content",)
    if path.startswith("/settings/v3/currencies"):
        return ("multi-currency-read",)
    write = _writes(request) and not path.startswith("/crm/v3/properties")
    types: list[str] = []
    if match := _ASSOC.match(path):
        types = [_type(match.group(1)), _type(match.group(2))]
    elif match := _TYPED.match(path) or _V2_PROPS.match(path):
        types = [_type(match.group(1))]
    elif match := _LEGACY_PATH.match(path):
        types = [_LEGACY[match.group(1)]]
    scopes = (_scope(t, write) for t in types)
    return tuple(dict.fromkeys(s for s in scopes if s is not None))


def missing_scopes_response(granted: Iterable[str] | None, request: Request) -> Response | None:
    """HubSpot's 403 for the first required scope not in ``granted`` (None: all granted)."""
    if granted is None:
        return None
    have = set(granted)
    for scope in required_scopes(request):
        if scope not in have:
            body = {
                "status": "error",
                "message": MISSING_SCOPES_MESSAGE,
                "correlationId": correlation_id(),
                "errors": [
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": [scope]},
                    }
                ],
                "links": {"scopes": _SCOPES_LINK},
                "category": "MISSING_SCOPES",
            }
            return json_response(body, 403)
    return None
