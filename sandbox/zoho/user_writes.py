"""Adding users: ``POST /crm/{version}/users`` (Zoho's Users API).

The body is ``{"users": [{"first_name", "last_name", "email", "role", "profile"}]}``:
``last_name`` and ``email`` are required, ``role`` and ``profile`` are ids (or
``{"id": ...}``) of the org's roles and profiles (``/settings/roles``, ``/settings/
profiles``; the ids the users API shows). Zoho answers 201 with one result per user,
``{"code": "SUCCESS", "details": {"id"}, "message": "User added", "status": "success"}``;
an email already in use is ``DUPLICATE_DATA``, a missing field ``MANDATORY_NOT_FOUND``, an
unknown role or profile ``INVALID_DATA``. The new user is active (the sandbox has no
invitation to accept) and can own records at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.zoho.errors import item_error, zoho_error
from sandbox.zoho.metadata import derived_id

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["register"]

_ROLES = ("CEO", "Manager", "Sales Rep", "Support Agent")
_PROFILES = ("Administrator", "Standard")


def _pick(kind: str, value: Any, known: set[str]) -> str | None:
    """A role or profile name from its id (or name), or ``None`` when unknown."""
    if isinstance(value, dict):
        value = value.get("id") or value.get("name")
    text = str(value or "")
    for name in sorted(known):
        if text in (name, derived_id(kind, name)):
            return name
    return None


def register(app: ZohoEmulator) -> None:
    world = app.world

    def add_users(request: Request, version: str) -> Response:
        try:
            data = orjson.loads(request.get_data(cache=True) or b"null")
        except orjson.JSONDecodeError:
            raise zoho_error(400, "INVALID_DATA", "body is not valid JSON", {}) from None
        items = data.get("users") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise zoho_error(
                400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "users"}
            )
        results: list[dict[str, Any]] = []
        with world.lock:
            table = world.zoho["users"]
            roles = {str(u["role"]) for u in table.all() if u.get("role")} | set(_ROLES)
            profiles = {str(u["profile"]) for u in table.all() if u.get("profile")}
            profiles |= set(_PROFILES)
            emails = {str(u.get("email") or "").lower() for u in table.live()}
            for item in items:
                item = item if isinstance(item, dict) else {}
                missing = next((k for k in ("last_name", "email") if not item.get(k)), None)
                if missing is not None:
                    results.append(
                        item_error(
                            "MANDATORY_NOT_FOUND", "required field not found", api_name=missing
                        )
                    )
                    continue
                email = str(item["email"]).strip().lower()
                if email in emails:
                    results.append(item_error("DUPLICATE_DATA", "duplicate data", api_name="email"))
                    continue
                role = _pick("role", item.get("role"), roles)
                profile = _pick("profile", item.get("profile"), profiles)
                if role is None or profile is None:
                    name = "role" if role is None else "profile"
                    results.append(item_error("INVALID_DATA", "invalid data", api_name=name))
                    continue
                now = app.clock.now()
                rid = world.mint("zoho", "users")
                table.insert(
                    {
                        **{f.name: None for f in table.schema.fields},
                        "id": rid,
                        "first_name": item.get("first_name"),
                        "last_name": item["last_name"],
                        "full_name": " ".join(
                            p for p in (item.get("first_name"), item["last_name"]) if p
                        ),
                        "email": email,
                        "status": "active",
                        "role": role,
                        "profile": profile,
                        "created_time": now,
                        "Modified_Time": now,
                    }
                )
                emails.add(email)
                results.append(
                    {
                        "code": "SUCCESS",
                        "details": {"id": rid},
                        "message": "User added",
                        "status": "success",
                    }
                )
        ok = any(r.get("status") == "success" for r in results)
        return json_response({"users": results}, 201 if ok else 400)

    app.api_route("POST", "/users", add_users)
