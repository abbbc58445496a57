"""Everything the audit reads from the store, loaded once into plain Python structures.

Rows are dicts of the typed columns plus ``raw``; a few derived keys are added on load
(``_object``: the CRM's own object name, ``_creator``: the CRM user who created the record,
falling back to the owner when the CRM does not say; both from the connector profile).
Activities are indexed by the record they are linked to, so rules ask "touches of this
record" in O(1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, select

from connectors.core.registry import profile_of
from sync.store.view.live_rows import Row, column_names, store_table
from sync.store.view.reads import StoreReads, read_live_rows

__all__ = ["Snapshot", "actor", "entered_at", "load_snapshot", "raw_value"]

_READ = (
    "leads",
    "contacts",
    "accounts",
    "deals",
    "deal_contacts",
    "activities",
    "cases",
    "users",
    "field_changes",
)
_WITH_RAW = {"leads", "contacts", "accounts", "deals", "users"}
_NOT_READ = (
    "id",
    "is_deleted",
    "remote_deleted_at",
    "deleted_detected_at",
    "deleted_by_run_id",
    "content_hash",
    "custom_fields",
    "first_seen_at",
    "synced_at",
    "last_run_id",
    "change_seq",
)
_OWNED = {
    "deals": "deal_id",
    "cases": "case_id",
    "leads": "lead_id",
    "contacts": "contact_id",
    "accounts": "account_id",
}
_LINKS = ("lead_id", "contact_id", "account_id", "deal_id", "case_id")


def raw_value(raw: dict[str, Any], name: str) -> Any:
    """A CRM field from a raw payload (HubSpot nests fields under ``properties``)."""
    props = raw.get("properties")
    if isinstance(props, dict):
        return props.get(name)
    return raw.get(name)


def entered_at(activity: Row) -> datetime | None:
    """When an activity was in the CRM: its creation time, or the time it says it happened
    when that is later or the CRM stamped no creation time."""
    times = [t for t in (activity.get("occurred_at"), activity.get("remote_created_at")) if t]
    return max(times) if times else None


def actor(activity: Row) -> str | None:
    """The employee user behind an activity; ``None`` when it is answered for by the owner
    of the record it is on (set by ``sync.audit.creators``; the activity's owner before)."""
    return activity["_actor"] if "_actor" in activity else activity.get("owner_id")


@dataclass
class Snapshot:
    """The store's live records, with activities indexed by linked record."""

    kinds: dict[str, str]
    tables: dict[str, list[Row]]
    touches: dict[tuple[str, str, str], list[Row]] = field(default_factory=dict)
    deal_contacts: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    lead_of_deal: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    users: dict[tuple[str, str], Row] = field(default_factory=dict)
    owners: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # the CRM's own history per (source, record type, record id), oldest first
    history: dict[tuple[str, str, str], list[Row]] = field(default_factory=dict)
    # (table, source, remote id) of records deleted in their CRM: their history is not
    # "of an unknown record"
    deleted: set[tuple[str, str, str]] = field(default_factory=set)
    # (source, account id) of a consumer's account (a person account) -> the contact that
    # is the same person
    person_accounts: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, tables: dict[str, list[Row]], kinds: dict[str, str] | None = None
    ) -> Snapshot:
        """A snapshot of given rows (store column names; ``raw`` as the CRM sent it)."""
        snapshot = cls(kinds=dict(kinds or {}), tables={k: list(v) for k, v in tables.items()})
        _derive(snapshot)
        return snapshot

    def kind(self, source: str) -> str:
        """The connector kind of a source (the source name when not configured)."""
        return self.kinds.get(source, source)

    def rows(self, table: str) -> list[Row]:
        """Live rows of a store table."""
        return self.tables.get(table, [])

    def touches_of(self, source: str, link: str, remote_id: str) -> list[Row]:
        """Activities linked to a record through ``link`` (``deal_id``, ``lead_id``...)."""
        return self.touches.get((source, link, remote_id), [])

    def record_owner(self, activity: Row) -> str | None:
        """The owner of the record an activity is logged on (its deal first, then its
        case, lead, contact or account)."""
        source = activity["source"]
        for link in ("deal_id", "case_id", "lead_id", "contact_id", "account_id"):
            target = activity.get(link)
            if target:
                found = self.owners.get((source, link, target))
                if found is None and link == "contact_id":
                    found = self.owners.get((source, "lead_id", target))  # a "who" lead
                if found is not None:
                    return found
        return None

    def deal_touches(self, deal: Row) -> list[Row]:
        """Activities of a deal: on the deal, its contacts or its lead, up to its close date."""
        source, rid = deal["source"], deal["remote_id"]
        found: dict[str, Row] = {}
        contacts = set(self.deal_contacts.get((source, rid), []))
        if deal.get("contact_id"):
            contacts.add(deal["contact_id"])
        groups: list[Iterable[Row]] = [self.touches_of(source, "deal_id", rid)]
        groups += [self.touches_of(source, "contact_id", c) for c in sorted(contacts)]
        groups += [
            self.touches_of(source, "lead_id", lead)
            for lead in self.lead_of_deal.get((source, rid), [])
        ]
        # Touches after a closed deal's close date belong to later business, not this deal;
        # a touch counts from when it entered the CRM (a back-dated entry made after the
        # close was not there while the deal was worked).
        end = None
        if deal.get("is_closed") and deal.get("close_date") is not None:
            end = datetime.combine(deal["close_date"] + timedelta(days=1), time(), UTC)
        for group in groups:
            for activity in group:
                at = entered_at(activity)
                if end is None or (at is not None and at < end):
                    found[activity["remote_id"]] = activity
        return sorted(found.values(), key=_touch_key)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _touch_key(activity: Row) -> tuple[datetime, str]:
    return (activity["occurred_at"] or _EPOCH, activity["remote_id"])


def load_snapshot(
    engine: Engine, kinds: dict[str, str] | None = None, reads: StoreReads | None = None
) -> Snapshot:
    """Read the live (not deleted) records the audit and the reports need, and every user
    (one deleted in its CRM is kept as inactive); through ``reads``, the rows a run's
    steps share."""
    tables: dict[str, list[Row]] = {}
    with engine.connect() as connection:
        for name in _READ:
            skip = set(_NOT_READ)
            if name not in _WITH_RAW:
                skip.add("raw")
            if name == "activities":
                skip |= {"remote_updated_at", "subject", "status"}
            if name == "field_changes":
                skip |= {"remote_created_at", "remote_updated_at"}
            tables[name] = read_live_rows(connection, name, column_names(name, skip), reads)
            if name == "users":
                # A user deleted in its CRM (an archived HubSpot owner) is a former
                # employee, not an unknown id: kept, and inactive.
                for user in tables[name]:
                    user["is_active"] = bool(user["is_active"]) and not user.pop("is_deleted")
    snapshot = Snapshot(kinds=dict(kinds or {}), tables=tables)
    if tables.get("field_changes"):
        snapshot.deleted = _deleted_ids(engine)
    _derive(snapshot)
    return snapshot


def _deleted_ids(engine: Engine) -> set[tuple[str, str, str]]:
    """Records deleted in their CRM, of the tables the CRMs keep history for."""
    out: set[tuple[str, str, str]] = set()
    with engine.connect() as connection:
        for name in ("leads", "contacts", "deals", "cases"):
            table = store_table(name)
            query = select(table.c.source, table.c.remote_id).where(table.c.is_deleted.is_(True))
            out.update((name, source, rid) for source, rid in connection.execute(query))
    return out


def _derive(snapshot: Snapshot) -> None:
    _tag_rows(snapshot)
    for user in snapshot.rows("users"):
        snapshot.users[(user["source"], user["remote_id"])] = user
    for table, link in _OWNED.items():
        for row in snapshot.rows(table):
            if row.get("owner_id"):
                snapshot.owners[(row["source"], link, row["remote_id"])] = row["owner_id"]
    snapshot.touches = _touches(snapshot)
    snapshot.person_accounts = {
        (a["source"], a["remote_id"]): a["person_contact_id"]
        for a in snapshot.rows("accounts")
        if a.get("person_contact_id")
    }
    roles: dict[tuple[str, str], list[str]] = defaultdict(list)
    for role in snapshot.rows("deal_contacts"):
        roles[(role["source"], role["deal_id"])].append(role["contact_id"])
    snapshot.deal_contacts = dict(roles)
    converted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lead in snapshot.rows("leads"):
        if lead.get("converted_deal_id"):
            converted[(lead["source"], lead["converted_deal_id"])].append(lead["remote_id"])
    snapshot.lead_of_deal = dict(converted)
    snapshot.history = _history(snapshot)


def _tag_rows(snapshot: Snapshot) -> None:
    """Each row's table, its CRM's object name and its creator."""
    sources = {row["source"] for rows in snapshot.tables.values() for row in rows}
    profiles = {source: profile_of(snapshot.kind(source)) for source in sources}
    for name, rows in snapshot.tables.items():
        for row in rows:
            profile = profiles[row["source"]]
            row["_table"] = name
            row["_object"] = profile.object_name(name)
            row["_creator"] = profile.creator_of(row.get("raw")) or row.get("owner_id")


def _touches(snapshot: Snapshot) -> dict[tuple[str, str, str], list[Row]]:
    """Activities by (source, link, linked id), in time order."""
    touches: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    # A "who" link can name a lead or a contact (Zoho's Who_Id on calls): when the id is
    # no contact of that source but is one of its leads, the activity touched the lead.
    contacts = {(c["source"], c["remote_id"]) for c in snapshot.rows("contacts")}
    leads = {(c["source"], c["remote_id"]) for c in snapshot.rows("leads")}
    for activity in snapshot.rows("activities"):
        source = activity["source"]
        for link in _LINKS:
            target = activity.get(link)
            if not target:
                continue
            key = (source, target)
            if link == "contact_id" and key not in contacts and key in leads:
                link = "lead_id"
                if activity.get("lead_id") == target:
                    continue  # already indexed under its lead link
            touches[(source, link, target)].append(activity)
    for group in touches.values():
        group.sort(key=_touch_key)
    return dict(touches)


def _history(snapshot: Snapshot) -> dict[tuple[str, str, str], list[Row]]:
    """Field changes by (source, record type, record id), oldest first."""
    history: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for change in snapshot.rows("field_changes"):
        history[(change["source"], change["record_type"], change["record_id"])].append(change)
    for group in history.values():
        group.sort(
            key=lambda c: (c["changed_at"] is None, c["changed_at"] or _EPOCH, c["remote_id"])
        )
    return dict(history)
