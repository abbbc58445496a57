"""Load store records as normalised entities: the input of blocking and scoring.

An :class:`Entity` keeps the normalised comparison values (folded names, canonical e-mails,
E.164 phones, company key, domain, house number and street, city, state, postal code) and
the display values golden records are built from. Placeholders ("[not provided]", "n/a"...)
are blank, like missing values.
Deleted records are left out. Records are named by their ``RecordKey`` text
(``source:table:remote_id``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, select

from sync.reconcile.beside import page_cache
from sync.reconcile.normalize import (
    clear_caches,
    company_key,
    country_region,
    domain_of,
    email_domain,
    email_key,
    fold,
    is_free_mail,
    name_key,
    phone_key,
    place_key,
    postal_key,
    street_key,
)
from sync.store.record_key import RecordKey
from sync.store.view.live_rows import changed_rows, column_names, store_table

__all__ = [
    "DISPLAY_FIELDS",
    "KIND_TABLES",
    "LIST_FIELDS",
    "AccountIndex",
    "Entity",
    "account_index",
    "build_entity",
    "load_entities",
]

# (source, account id) -> (company key, domain) of each live account
AccountIndex = dict[tuple[str, str], tuple[str, str | None]]
KIND_TABLES = {
    "employee": ("users",),
    "organisation": ("accounts",),
    "person": ("leads", "contacts"),
}
# The store's bookkeeping and raw payloads, never read into an entity: not loaded (each
# time column is a datetime made per row, a million rows at a time).
_UNREAD = frozenset(
    {
        "id", "is_deleted", "remote_deleted_at", "deleted_detected_at", "deleted_by_run_id",
        "content_hash", "first_seen_at", "last_run_id", "change_seq", "raw", "custom_fields",
    }
)  # fmt: skip


# The display values golden records are built from, per kind, in ``Entity.display``
# order; "emails"/"phones" (the normalised lists) are added from the entity itself.
DISPLAY_FIELDS = {
    "person": (
        "first_name", "last_name", "title", "email", "phone", "company", "city", "country",
        "lifecycle", "street", "state", "postal_code",
    ),
    "organisation": (
        "name", "domain", "website", "phone", "industry", "city", "country", "street", "state",
        "postal_code",
    ),
    "employee": ("name", "email", "title", "department", "active"),
}  # fmt: skip
# The normalised lists golden records show too, per kind.
LIST_FIELDS = {"person": ("emails", "phones"), "organisation": ("phones",), "employee": ("emails",)}


def _interned(value: Any) -> Any:
    # A million records repeat the same cities, countries, titles and names: one copy each.
    return sys.intern(value) if type(value) is str else value


@dataclass(slots=True)
class Entity:
    """One source record, normalised for comparison. Kept compact (a million of them are
    held at once): display values are a tuple, repeated strings are interned."""

    key: str
    kind: str
    source: str
    table: str
    remote_id: str
    first: str = ""
    last: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    domain: str | None = None
    city: str = ""
    house: str = ""
    street: str = ""
    postcode: str = ""
    state: str = ""
    team: str = ""
    title: str = ""  # a person's job title, folded
    org_ref: str | None = None
    owner_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    synced_at: datetime | None = None
    converted_at: datetime | None = None
    must: tuple[str, ...] = ()
    display: tuple[Any, ...] = ()

    @property
    def values(self) -> dict[str, Any]:
        """The display values by field name (built on each call: keep the result)."""
        found = dict(zip(DISPLAY_FIELDS[self.kind], self.display, strict=False))
        for name in LIST_FIELDS[self.kind]:
            found[name] = list(getattr(self, name))
        return found

    def show(self, *values: Any) -> None:
        """Set the display values, in ``DISPLAY_FIELDS[kind]`` order."""
        # ``_interned`` written out: 0.65 s a million records against 1.2 s through it.
        self.display = tuple([sys.intern(v) if type(v) is str else v for v in values])


def load_entities(
    engine: Engine,
    kind: str,
    since: int | None = None,
    keys: Iterable[str] | None = None,
    until: int | None = None,
    accounts: AccountIndex | None = None,
) -> list[Entity]:
    """Entities of ``kind``: all, or only the given keys; ``since``/``until`` keep those
    written after change number ``since`` and up to ``until`` (``sync.store.changes``).

    People take their company from their account: ``accounts`` is ``account_index``'s
    answer, for a caller that loads people several times from one state of the store (it
    reads every account: about 20 µs each); made here when not given."""
    wanted: dict[str, dict[str, list[str]]] = {}
    if keys is not None:
        for key in keys:
            source, table, remote_id = RecordKey.parse(key)
            wanted.setdefault(table, {}).setdefault(source, []).append(remote_id)
    entities: list[Entity] = []
    if kind != "person":
        accounts = {}
    elif accounts is None:
        accounts = account_index(engine)
    with engine.connect() as connection, _scanning(connection, keys is None and since is None):
        for table in KIND_TABLES[kind]:
            build = _BUILDERS[table]
            ids = None if keys is None else wanted.get(table, {})
            rows = changed_rows(connection, table, _read(table), since, until, ids)
            entities.extend(build(row, accounts) for row in rows)
    clear_caches()  # they served this load
    return entities


# SQLite's page cache while whole tables are read: a scan reads each page once, and the
# store's own cache (256 MB) stayed filled with them in the pooled connection after the
# load, resident through the run (1 M people: 1,724 MiB after loading, 1,450 with this).
# Records read by key or change number keep the store's cache for their index lookups.
_SCAN_CACHE = -8_192


def _scanning(connection: Connection, whole: bool) -> AbstractContextManager[None]:
    return page_cache(connection, _SCAN_CACHE) if whole else nullcontext()


@cache
def _read(table: str) -> tuple[str, ...]:
    """The columns of ``table`` reconciliation reads."""
    return tuple(column_names(table, _UNREAD))


def account_index(engine: Engine) -> AccountIndex:
    """(source, account id) -> (company key, domain): a contact's company comes from it.

    A consumer's account (a person account) is no employer: its person has no company,
    as the same person kept without one in another CRM has none."""
    columns = store_table("accounts").c
    query = select(
        columns.source,
        columns.remote_id,
        columns.name,
        columns.domain,
        columns.website,
        columns.person_contact_id,
    )
    with engine.connect() as connection, _scanning(connection, True):
        return {
            (source, rid): (
                ("", None)
                if person
                else (company_key(name), domain_of(domain) or domain_of(website))
            )
            for source, rid, name, domain, website, person in connection.execute(query)
        }


def _common(row: Any, kind: str, table: str) -> Entity:
    created, updated = row["remote_created_at"], row["remote_updated_at"]
    if not updated or updated == created:
        updated = created  # one object where the two are one time (most records)
    return Entity(
        key=RecordKey.text(row["source"], table, row["remote_id"]),
        kind=kind,
        source=sys.intern(row["source"]),
        table=table,
        remote_id=row["remote_id"],
        created_at=created,
        updated_at=updated,
        synced_at=_shared_time(row["synced_at"]),
        owner_id=row.get("owner_id"),
    )


@lru_cache(maxsize=4096)
def _shared_time(moment: datetime | None) -> datetime | None:
    """One object per time a sync wrote (a page of records shares it): a million records
    held a million equal datetimes, 48 MB."""
    return moment


def _as_shown(normalised: tuple[str, ...], shown: Any) -> tuple[str, ...]:
    """The normalised values with the first one the displayed object where the two are
    equal (most e-mails are typed in their canonical form): one string, not two."""
    if normalised and normalised[0] == shown:
        return (shown, *normalised[1:])
    return normalised


def _emails(*values: Any) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            key = email_key(item)
            if key and key not in found:
                found.append(key)
    return tuple(found)


def _phones(region: str | None, *values: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        key = phone_key(value, region)
        if key and key not in found:
            found.append(key)
    return tuple(found)


def _work_domain(emails: tuple[str, ...]) -> str | None:
    for email in emails:
        domain = email_domain(email)
        if domain and not is_free_mail(domain):
            return domain
    return None


def _merge_refs(entity: Entity, row: Any) -> None:
    for other in [*(row.get("merged_ids") or []), row.get("merged_into_id")]:
        if other and other != entity.remote_id:
            entity.must += (RecordKey.text(entity.source, entity.table, str(other)),)


def _address(entity: Entity, row: Any) -> None:
    entity.city = _interned(place_key(row["city"]))
    house, street = street_key(row["street"])
    entity.house = _interned(house)
    entity.street = _interned(street)
    entity.postcode = _interned(postal_key(row["postal_code"]))
    entity.state = _interned(place_key(row["state"]))


def _person(row: Any, accounts: AccountIndex) -> Entity:
    table = "leads" if "converted" in row else "contacts"
    entity = _common(row, "person", table)
    region = country_region(row["country"])
    entity.first = _interned(name_key(row["first_name"]))
    entity.last = _interned(name_key(row["last_name"]))
    entity.emails = _emails(row["email"], row["other_emails"])
    entity.phones = _phones(region, row["phone"], row["mobile"])
    entity.title = _interned(place_key(row["title"]))
    _address(entity, row)
    account_id = row.get("account_id") or row.get("converted_account_id")
    company, domain = (
        accounts.get((row["source"], account_id), ("", None)) if account_id else ("", None)
    )
    entity.company = _interned(company_key(row.get("company")) or company)
    entity.domain = _interned(_work_domain(entity.emails) or domain)
    if account_id:
        entity.org_ref = RecordKey.text(row["source"], "accounts", account_id)
    if row.get("converted_contact_id"):
        entity.must += (RecordKey.text(row["source"], "contacts", row["converted_contact_id"]),)
    elif row.get("converted"):
        # Zoho names no contact on a converted lead: the contact created at the conversion
        # instant is the evidence (compared in scoring).
        entity.converted_at = row["converted_at"]
    _merge_refs(entity, row)
    entity.show(
        row["first_name"],
        row["last_name"],
        row["title"],
        row["email"],
        row["phone"],
        row.get("company"),
        row["city"],
        row["country"],
        row.get("lifecycle_stage") or row.get("status"),
        row["street"],
        row["state"],
        row["postal_code"],
    )
    entity.emails = _as_shown(entity.emails, entity.display[3])
    entity.phones = _as_shown(entity.phones, entity.display[4])
    return entity


def _account(row: Any, _accounts: object) -> Entity:
    entity = _common(row, "organisation", "accounts")
    region = country_region(row["country"])
    entity.company = company_key(row["name"])
    entity.domain = domain_of(row["domain"]) or domain_of(row["website"])
    entity.phones = _phones(region, row["phone"])
    _address(entity, row)
    _merge_refs(entity, row)
    entity.show(
        row["name"],
        entity.domain,
        row["website"],
        row["phone"],
        row["industry"],
        row["city"],
        row["country"],
        row["street"],
        row["state"],
        row["postal_code"],
    )
    return entity


def _user(row: Any, _accounts: object) -> Entity:
    entity = _common(row, "employee", "users")
    first, last = row["first_name"], row["last_name"]
    if not (first or last) and row["name"]:
        first, _, last = row["name"].partition(" ")
    entity.first = name_key(first)
    entity.last = name_key(last)
    entity.emails = _emails(row["email"])
    entity.team = fold(row["department"])
    entity.show(
        " ".join(p for p in (first, last) if p) or row["name"],
        row["email"],
        row["title"],
        row["department"],
        bool(row["is_active"]),
    )
    return entity


_BUILDERS = {"leads": _person, "contacts": _person, "accounts": _account, "users": _user}
_DEFAULTS: dict[str, Any] = {
    "remote_created_at": None,
    "remote_updated_at": None,
    "synced_at": None,
    "owner_id": None,
    "merged_ids": [],
    "merged_into_id": None,
    "other_emails": [],
}


def build_entity(
    table: str,
    row: dict[str, Any],
    accounts: AccountIndex | None = None,
) -> Entity:
    """An entity from a store-row-shaped mapping (missing columns are blank)."""
    columns = dict.fromkeys(column_names(table))
    data = {**columns, **_DEFAULTS, **row}
    if table == "leads":
        data["converted"] = bool(data.get("converted"))
    return _BUILDERS[table](data, accounts or {})
