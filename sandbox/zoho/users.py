"""``GET /crm/v8/users?type=AllUsers|ActiveUsers|CurrentUser`` and ``/users/{id}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.store import Record
from sandbox.zoho.errors import invalid_data, zoho_error
from sandbox.zoho.params import int_param
from sandbox.zoho.render import display_name, iso

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["USER_TYPES", "register", "render_user"]

USER_TYPES = ("AllUsers", "ActiveUsers", "DeactiveUsers", "AdminUsers", "CurrentUser")


def render_user(user: Record) -> dict[str, Any]:
    from sandbox.zoho.metadata import derived_id

    out: dict[str, Any] = {}
    for key, value in user.items():
        if key in ("role", "profile") and value is not None:
            out[key] = {"name": value, "id": derived_id(key, value)}
        elif key in ("created_time", "Modified_Time") and value is not None:
            out[key] = iso(value)
        else:
            out[key] = value
    out["full_name"] = display_name("users", user)
    return out


def register(app: ZohoEmulator) -> None:
    world = app.world

    def list_users(request: Request, version: str) -> Response:
        kind = request.args.get("type") or "AllUsers"
        if kind not in USER_TYPES:
            raise invalid_data("type", supported_values=list(USER_TYPES))
        per_page = int_param(request.args, "per_page", 200, 1, 200)
        page = int_param(request.args, "page", 1, 1, 10**9)
        current = app.current_user_id()
        with world.lock:
            table = world.zoho["users"]
            rows = list(table.live())
            if kind == "CurrentUser":
                rows = [u for u in rows if u["id"] == current]
            elif kind == "ActiveUsers":
                rows = [u for u in rows if u.get("status") in (None, "active")]
            elif kind == "DeactiveUsers":
                rows = [u for u in rows if u.get("status") == "disabled"]
            elif kind == "AdminUsers":
                rows = [u for u in rows if u.get("profile") == "Administrator"]
            offset = (page - 1) * per_page
            window = [render_user(u) for u in rows[offset : offset + per_page]]
        if not window:
            return json_response(None, 204)
        info = {
            "per_page": per_page,
            "count": len(window),
            "page": page,
            "more_records": offset + per_page < len(rows),
        }
        return json_response({"users": window, "info": info})

    def get_user(request: Request, version: str, user_id: str) -> Response:
        with world.lock:
            user = world.zoho["users"].get(user_id)
            if user is None:
                raise zoho_error(
                    400,
                    "INVALID_DATA",
                    "the related id given seems to be invalid",
                    {"resource_path_index": 1},
                )
            return json_response({"users": [render_user(user)]})

    app.api_route("GET", "/users", list_users)
    app.api_route("GET", "/users/<user_id>", get_user, "/users/<id>")
