"""HubSpot user provisioning: ``/settings/v3/users`` (list, read, create, remove).

A portal's users are people who log in; each one can own records, so a user created here
also appears in the owners API (``/crm/v3/owners``) with ``userId`` set, as in HubSpot. A
new user is ``POST``ed with ``email`` (required, unique), optional ``firstName``,
``lastName``, ``roleId``, ``primaryTeamId`` and ``sendWelcomeEmail``; HubSpot answers 201
with the user (``id``, ``email``, ``roleIds``, ``primaryTeamId``, ``superAdmin``...).
Removing a user archives its owner. ``/settings/v3/users/teams`` lists the teams.
Scopes: ``settings.users.read`` / ``.write``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error, validation_error
from sandbox.hubspot.params import body

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["register"]

_USER_BASE = 9_200_000
_OWNER_BASE = 80_000_000


def _user(owner: dict[str, Any]) -> dict[str, Any]:
    teams = owner.get("teams") or []
    primary = next((t for t in teams if t.get("primary")), None)
    out: dict[str, Any] = {
        "id": str(owner["userId"]),
        "email": owner.get("email"),
        "roleIds": list(owner.get("roleIds") or []),
        "superAdmin": False,
        "secondaryTeamIds": [str(t["id"]) for t in teams if not t.get("primary")],
    }
    if owner.get("roleIds"):
        out["roleId"] = owner["roleIds"][0]
    if primary is not None:
        out["primaryTeamId"] = str(primary["id"])
    return out


def _team(app: HubSpotEmulator, team_id: str) -> dict[str, Any]:
    for owner in app.world.hubspot_owners:
        for team in owner.get("teams") or ():
            if str(team.get("id")) == team_id:
                return {"id": str(team["id"]), "name": team.get("name"), "primary": True}
    raise validation_error(f"Team {team_id} does not exist")


def _new_owner(app: HubSpotEmulator, data: dict[str, Any], email: str) -> dict[str, Any]:
    """The owner record of a new user (the caller holds the world lock)."""
    world = app.world
    world.sequences["hubspot:user"] += 1
    seq = world.sequences["hubspot:user"]
    now = app.clock.now()
    owner: dict[str, Any] = {
        "id": str(_OWNER_BASE + seq),
        "email": email,
        "firstName": data.get("firstName") or "",
        "lastName": data.get("lastName") or "",
        "userId": _USER_BASE + seq,
        "userIdIncludingInactive": _USER_BASE + seq,
        "type": "PERSON",
        "teams": [_team(app, str(data["primaryTeamId"]))] if data.get("primaryTeamId") else [],
        "createdAt": now,
        "updatedAt": now,
        "archived": False,
    }
    if data.get("roleId"):
        owner["roleIds"] = [str(data["roleId"])]
    return owner


def _teams(owners: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every team of the owners, with its active users' ids, by team id."""
    teams: dict[str, dict[str, Any]] = {}
    for owner in owners:
        for team in owner.get("teams") or ():
            entry = teams.setdefault(
                str(team["id"]),
                {
                    "id": str(team["id"]),
                    "name": team.get("name"),
                    "userIds": [],
                    "secondaryUserIds": [],
                },
            )
            if owner.get("userId") and not owner.get("archived"):
                key = "userIds" if team.get("primary") else "secondaryUserIds"
                entry[key].append(str(owner["userId"]))
    return sorted(teams.values(), key=lambda t: t["id"])


def register(app: HubSpotEmulator) -> None:
    world = app.world

    def users_of() -> list[dict[str, Any]]:
        return [o for o in world.hubspot_owners if o.get("userId") and not o.get("archived")]

    def list_users(request: Request) -> Response:
        with world.lock:
            return json_response({"results": [_user(o) for o in users_of()]})

    def find(user_id: str) -> dict[str, Any]:
        for owner in users_of():
            if str(owner["userId"]) == user_id:
                return owner
        raise hs_error(404, f"User {user_id} not found", "OBJECT_NOT_FOUND")

    def get_user(request: Request, user_id: str) -> Response:
        with world.lock:
            return json_response(_user(find(user_id)))

    def create_user(request: Request) -> Response:
        data = body(request)
        email = str(data.get("email") or "").strip().lower()
        if "@" not in email:
            raise validation_error("email is required and must be an email address")
        with world.lock:
            if any(str(o.get("email", "")).lower() == email for o in users_of()):
                raise hs_error(409, f"A user with email {email} already exists", "CONFLICT")
            owner = _new_owner(app, data, email)
            world.hubspot_owners.append(owner)
            return json_response(_user(owner), 201)

    def remove_user(request: Request, user_id: str) -> Response:
        with world.lock:
            owner = find(user_id)
            owner["archived"] = True
            owner["updatedAt"] = app.clock.now()
        return Response(status=204)

    def list_teams(request: Request) -> Response:
        with world.lock:
            return json_response({"results": _teams(world.hubspot_owners)})

    base = "/settings/v3/users"
    app.add_route(f"{base}/teams", list_teams, ["GET"], endpoint="GET /settings/v3/users/teams")
    app.add_route(base + "/", list_users, ["GET"], endpoint="GET /settings/v3/users/")
    app.add_route(base + "/", create_user, ["POST"], endpoint="POST /settings/v3/users/")
    app.add_route(f"{base}/<user_id>", get_user, ["GET"], endpoint="GET /settings/v3/users/<id>")
    app.add_route(
        f"{base}/<user_id>", remove_user, ["DELETE"], endpoint="DELETE /settings/v3/users/<id>"
    )
