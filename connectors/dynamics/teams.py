"""Teams and team membership, carried on each user as the employee's team.

crmsync's common model has no team record: a user's teams ride on the user record as
``raw["teams"]`` (``[{"id", "name", "primary"}]``, the shape HubSpot's owners have), from
which the directory and the audit take the employee's team. Dataverse keeps teams in
``team`` and membership in the intersect table ``teammembership`` (the
``teammembership_association`` relationship), which has no ``modifiedon`` and no change
tracking; both are small, so each run reads them whole, in the same ``$batch`` as the
users' first page (the users stream still costs one call). The primary team is the first
owner team by name; a user in no team but the business unit's default one has that one.

The state keeps each user's team ids: when membership changed, the users whose teams
changed and whose row did not change are read again (``$filter`` on their ids) so that
their records carry the new teams.

A user's language rides the same way, as ``raw["language"]`` (``de_DE``): Dataverse keeps
it in the user's ``usersettings`` row (``uilanguageid``, a Windows locale id such as 1031),
not on ``systemuser``; the settings are read whole in the same ``$batch`` and kept in the
state, and a user whose language changed is read again. Without the Read privilege on
User Settings the users come without a language (statements then use the default one).
"""

from __future__ import annotations

import locale
from collections.abc import Iterator, Mapping
from typing import Any

from connectors.dynamics.batch import BatchAnswer
from connectors.dynamics.http import AccessDenied, DynamicsHttp

__all__ = [
    "QUERIES",
    "TeamMap",
    "changed_languages",
    "changed_users",
    "languages",
    "read_users_by_id",
    "team_map",
]

QUERIES = (
    "teams?$select=name,isdefault,teamtype",
    "teammemberships?$select=teamid,systemuserid",
    "usersettingscollection?$select=systemuserid,uilanguageid",
)
TeamMap = dict[str, list[dict[str, Any]]]
_IDS_PER_CALL = 50


def _rows(
    http: DynamicsHttp, answer: BatchAnswer, what: str, headers: Mapping[str, str]
) -> list[Any]:
    if not answer.ok or not isinstance(answer.body, dict):
        body = http.call("GET", what, headers=headers).body or {}  # the refused part, alone
    else:
        body = answer.body
    rows = list(body.get("value", []))
    following = body.get("@odata.nextLink")
    while following:
        body = http.call("GET", following, headers=headers).body or {}
        rows += body.get("value", [])
        following = body.get("@odata.nextLink")
    return rows


def team_map(
    http: DynamicsHttp,
    teams: BatchAnswer,
    members: BatchAnswer,
    headers: Mapping[str, str],
) -> TeamMap:
    """User id -> that user's teams, sorted by name, the primary one marked."""
    by_id = {str(t["teamid"]): t for t in _rows(http, teams, QUERIES[0], headers)}
    out: TeamMap = {}
    for row in _rows(http, members, QUERIES[1], headers):
        team = by_id.get(str(row.get("teamid")))
        if team is None:
            continue
        entry = {
            "id": str(team["teamid"]),
            "name": team.get("name"),
            "default": bool(team.get("isdefault")),
        }
        out.setdefault(str(row["systemuserid"]), []).append(entry)
    for user, entries in out.items():
        entries.sort(key=lambda e: (str(e["name"]), e["id"]))
        owned = [e for e in entries if not e["default"]] or entries
        out[user] = [{"id": e["id"], "name": e["name"], "primary": e is owned[0]} for e in entries]
    return out


def changed_users(before: Mapping[str, Any] | None, now: TeamMap) -> list[str]:
    """Users whose team ids changed since the state's ``before`` (none on a first read)."""
    if before is None:
        return []
    old = {u: sorted(ids) for u, ids in before.items()}
    new = {u: sorted(t["id"] for t in teams) for u, teams in now.items()}
    return sorted(u for u in set(old) | set(new) if old.get(u, []) != new.get(u, []))


def read_users_by_id(
    http: DynamicsHttp, ids: list[str], select: str, headers: Mapping[str, str]
) -> Iterator[list[dict[str, Any]]]:
    """The current rows of these users, a few dozen ids per call."""
    for start in range(0, len(ids), _IDS_PER_CALL):
        chunk = ids[start : start + _IDS_PER_CALL]
        where = " or ".join(f"systemuserid eq {rid}" for rid in chunk)
        body = http.call(
            "GET", "systemusers", params={"$select": select, "$filter": where}, headers=headers
        ).body
        yield list((body or {}).get("value", []))


def ids_of(teams: TeamMap) -> dict[str, list[str]]:
    """What the state keeps: each user's team ids."""
    return {user: [t["id"] for t in entries] for user, entries in sorted(teams.items())}


def languages(
    http: DynamicsHttp, settings: BatchAnswer, headers: Mapping[str, str]
) -> dict[str, str] | None:
    """User id -> the user's UI language as a locale name (1031 -> ``de_DE``, 2055 ->
    ``de_CH``); a locale id Windows does not name is left out. None when the settings
    cannot be read (a role without the Read privilege on User Settings)."""
    try:
        rows = _rows(http, settings, QUERIES[2], headers)
    except AccessDenied:
        return None
    out = {}
    for row in rows:
        name = locale.windows_locale.get(int(row.get("uilanguageid") or 0))
        if name:
            out[str(row["systemuserid"])] = name
    return dict(sorted(out.items()))


def changed_languages(before: Mapping[str, str] | None, now: Mapping[str, str] | None) -> list[str]:
    """Users whose language changed since the state's ``before``; every user with a
    language when the state kept none (a first read, or a state from before languages
    were read); none when they cannot be read now."""
    if now is None:
        return []
    before = before or {}
    return sorted(u for u in set(before) | set(now) if before.get(u) != now.get(u))
