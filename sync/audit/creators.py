"""Who created a record, for the rules that blame the creator (missing fields, missing
source, duplicates) and the completeness, validity and uniqueness components.

Per CRM, the creator field is Salesforce ``CreatedById``, Zoho ``Created_By`` and HubSpot
``hs_created_by_user_id`` (a HubSpot *user* id, mapped to the owner whose ``userId`` it
is). The creator is replaced by the record's owner when:

- the CRM names no creator (a HubSpot record written by an app with no user behind it);
- the creator is no user the store holds (an integration user that is not synced);
- the creator is an integration user: listed in ``audit.integration_users`` (by user id,
  username or e-mail), or, with ``audit.detect_integration_users`` (on by default), a user
  who created at least ``_DETECT_MIN`` records of a CRM and owns none of them — the
  signature of an API or import user writing on behalf of the owners. Records an
  integration writes were entered by whoever owns them.
"""

from __future__ import annotations

from typing import Any

from sync.audit.settings import AuditConfig
from sync.audit.snapshot import Row, Snapshot

__all__ = ["assign_creators", "raw_creator"]

_RECORD_TABLES = ("leads", "contacts", "accounts", "deals", "cases")
_DETECT_MIN = 5


def raw_creator(row: Row, hubspot_users: dict[str, str]) -> str | None:
    """The creator user id the CRM recorded on a row, if any."""
    raw = row.get("raw") or {}
    if raw.get("CreatedById"):
        return str(raw["CreatedById"])
    created_by = raw.get("Created_By")
    if isinstance(created_by, dict) and created_by.get("id"):
        return str(created_by["id"])
    props = raw.get("properties")
    if isinstance(props, dict) and props.get("hs_created_by_user_id"):
        return hubspot_users.get(f"{row['source']}:{props['hs_created_by_user_id']}")
    return None


def assign_creators(snapshot: Snapshot, config: AuditConfig) -> None:
    """Set ``_creator`` on every record row by the rule in the module docstring."""
    integration = _integration_ids(snapshot, config)
    # HubSpot's creator is a user id; the store's users are owners carrying that userId.
    by_user_id: dict[str, str] = {}
    for user in snapshot.rows("users"):
        user_id = (user.get("raw") or {}).get("userId")
        if user_id is not None:
            by_user_id[f"{user['source']}:{user_id}"] = user["remote_id"]
    rows = [row for table in _RECORD_TABLES for row in snapshot.rows(table)]
    creators = [raw_creator(row, by_user_id) for row in rows]
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
