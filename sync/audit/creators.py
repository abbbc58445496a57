"""Who created a record, for the rules that blame the creator (missing fields, missing
source, duplicates) and the completeness, validity and uniqueness components.

The creator field of each CRM is its connector profile's (``CrmProfile.creator_of``; where
the field holds a user reference rather than the user's remote id, the profile says which
user field it refers to). The creator is replaced by the record's owner when:

- the CRM names no creator (a record written by an app with no user behind it);
- the creator is no user the store holds (an integration user that is not synced);
- the creator is an integration user: listed in ``audit.integration_users`` (by user id,
  username or e-mail), or, with ``audit.detect_integration_users`` (on by default), a user
  who created at least ``_DETECT_MIN`` records of a CRM and owns none of them — the
  signature of an API or import user writing on behalf of the owners. Records an
  integration writes were entered by whoever owns them.

Activities are answered for the same way: an activity owned by an integration user, by no
user, or by a user the store does not hold (a dialer or e-mail sync writing through the
API) has no ``_actor``, and counts for the owner of the record it is logged on.
"""

from __future__ import annotations

from typing import Any

from connectors.core.registry import profile_of
from sync.audit.snapshot import Row, Snapshot
from sync.config.audit import AuditConfig

__all__ = ["assign_creators"]

_RECORD_TABLES = ("leads", "contacts", "accounts", "deals", "cases")
_DETECT_MIN = 5


def assign_creators(snapshot: Snapshot, config: AuditConfig) -> None:
    """Set ``_creator`` on every record row by the rule in the module docstring."""
    integration = _integration_ids(snapshot, config)
    users: dict[str, list[tuple[str, Any]]] = {}
    for user in snapshot.rows("users"):
        users.setdefault(user["source"], []).append((user["remote_id"], user.get("raw")))
    rows = [row for table in _RECORD_TABLES for row in snapshot.rows(table)]
    profiles = {source: profile_of(snapshot.kind(source)) for source in {r["source"] for r in rows}}
    refs = {source: p.user_refs(users.get(source, [])) for source, p in profiles.items()}
    creators = [profiles[r["source"]].creator_of(r.get("raw"), refs[r["source"]]) for r in rows]
    if config.detect_integration_users:
        integration |= _writing_for_others(rows, creators)
    for row, creator in zip(rows, creators, strict=True):
        source = row["source"]
        if (
            creator is None
            or (source, creator) not in snapshot.users
            or (source, creator) in integration
        ):
            creator = row.get("owner_id") or creator
        row["_creator"] = creator
    for activity in snapshot.rows("activities"):
        owner, source = activity.get("owner_id"), activity["source"]
        person = owner and (source, owner) in snapshot.users and (source, owner) not in integration
        activity["_actor"] = owner if person else None


def _writing_for_others(rows: list[Row], creators: list[str | None]) -> set[tuple[str, str]]:
    """Creators of at least ``_DETECT_MIN`` owned records who own none of them."""
    created: dict[tuple[str, str], int] = {}
    owns: set[tuple[str, str]] = set()
    for row, creator in zip(rows, creators, strict=True):
        owner = row.get("owner_id")
        if creator is None or not owner:
            continue
        key = (row["source"], creator)
        created[key] = created.get(key, 0) + 1
        if owner == creator:
            owns.add(key)
    return {key for key, n in created.items() if n >= _DETECT_MIN and key not in owns}


def _integration_ids(snapshot: Snapshot, config: AuditConfig) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for user in snapshot.rows("users"):
        source = user["source"]
        wanted = {
            name.casefold()
            for key in (source, snapshot.kind(source))
            for name in config.integration_users.get(key, [])
        }
        if wanted & _names(user):
            found.add((source, user["remote_id"]))
    return found


def _names(user: Row) -> set[str]:
    raw: dict[str, Any] = user.get("raw") or {}
    values = [user["remote_id"], user.get("email"), raw.get("Username"), raw.get("email")]
    return {str(v).casefold() for v in values if v}
