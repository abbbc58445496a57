"""``/crm/v3/owners/``: the portal's users who can own records."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error, validation_error
from sandbox.hubspot.params import archived_flag, limit_param
from sandbox.hubspot.render import iso
from sandbox.hubspot.responses import next_link

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]


def _render(owner: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in owner.items():
        out[key] = iso(value) if isinstance(value, datetime) else value
    out["id"] = str(owner["id"])
    return out


def list_owners(app: HubSpotEmulator, request: Request) -> Response:
    limit = limit_param(request, 100, 500)
    archived = archived_flag(request)
    email = (request.args.get("email") or "").lower()
    try:
        start = int(request.args.get("after") or 0)
    except ValueError:
        raise validation_error("Invalid after") from None
    with app.world.lock:
        owners = [
            o
            for o in app.world.hubspot_owners
            if bool(o.get("archived")) == archived
            and (not email or str(o.get("email", "")).lower() == email)
        ]
        owners.sort(key=lambda o: int(o["id"]))
        page = [_render(o) for o in owners[start : start + limit]]
    payload: dict[str, Any] = {"results": page}
    if start + limit < len(owners):
        cursor = str(start + limit)
        payload["paging"] = {"next": {"after": cursor, "link": next_link(request, cursor)}}
    return json_response(payload)


def get_owner(app: HubSpotEmulator, request: Request, owner_id: str) -> Response:
    key = "userId" if request.args.get("idProperty") == "userId" else "id"
    archived = archived_flag(request)
    with app.world.lock:
        for owner in app.world.hubspot_owners:
            if str(owner.get(key)) == owner_id and bool(owner.get("archived")) == archived:
                return json_response(_render(owner))
    raise hs_error(
        404,
        f"Unable to find owner with {key} {owner_id}",
        "OBJECT_NOT_FOUND",
        context={key: [owner_id]},
    )


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/crm/v3/owners/",
        lambda request: list_owners(app, request),
        ["GET"],
        endpoint="GET /crm/v3/owners/",
    )
    app.add_route(
        "/crm/v3/owners/<owner_id>",
        lambda request, owner_id: get_owner(app, request, owner_id),
        ["GET"],
        endpoint="GET /crm/v3/owners/<id>",
    )
