"""Deal evidence: every act that may have contributed to each deal, across CRMs.

For a deal the customer is its people (contact, contact roles, the lead converted into
it) and its organisation, each widened to every record of the same reconciled identity in
any CRM — so a HubSpot call on the person who became the Salesforce opportunity's contact
counts. Acts, with stable keys ``source:table:remote_id`` (``#owner`` for ownership):

- ``touch``: an activity on the deal, on one of its people, or on its organisation
  without another person named; inbound ones are the customer's own act (no employee);
- ``lead_source``: capturing one of the people (a lead or contact with a source channel,
  not a contact created by converting a lead), or the digital touch that brought one of
  them (``sync.compute.digital``); ``campaign``: a campaign membership;
- ``lead_owner``: owning a converted lead of the deal's people;
- ``deal_owner``: owning the deal; ``contact_role``: adding a contact role;
- ``case``: owning a case of the deal, its people or organisation.

Acts older than the lookback window before the close date are left out; crediting applies
each plan's own window and explains what it ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from compensation.inputs import Act, Deal, DealEvidence, DealState
from sync.compute.creators import Creators
from sync.compute.directory import Directory
from sync.compute.links import LinkIndex, deal_key, record_key
from sync.compute.snapshot import Row, StoreSnapshot
from sync.store.view.identity_map import IdentityLookup

__all__ = ["Evidence", "build_evidence", "deal_key", "record_key"]

_CHECKED_FIELDS = ("amount", "close_date", "account", "contact", "lead_source", "owner")


@dataclass
class Evidence:
    """Deals with their acts, the store record of each deal, logged touches per deal."""

    deals: list[DealEvidence] = field(default_factory=list)
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def _products(snapshot: StoreSnapshot) -> dict[tuple[str, str], tuple[str, ...]]:
    """The names of the products sold on each deal (its live line items), sorted, once."""
    names: dict[tuple[str, str], set[str]] = {}
    for row in snapshot.rows("deal_products"):
        if row.get("product_name"):
            names.setdefault((row["source"], row["deal_id"]), set()).add(row["product_name"])
    return {key: tuple(sorted(found)) for key, found in names.items()}


def _deal(
    row: Row,
    people: list[tuple[str, str, str]],
    owner: str | None,
    customer: str | None,
    currency: str,
    reversed_on: date | None,
    products: tuple[str, ...] = (),
) -> Deal:
    present = {
        "amount": row.get("amount") is not None,
        "close_date": row.get("close_date") is not None,
        "account": bool(row.get("account_id")),
        "contact": any(table == "contacts" for _, table, _ in people),
        "lead_source": bool(row.get("source_channel")),
        "owner": bool(row.get("owner_id")),
    }
    state: DealState
    if row.get("is_won"):
        state = "won"
    elif row.get("is_closed"):
        state = "lost"
    else:
        state = "open"
    created = _aware(row.get("remote_created_at")) or _day_start(row.get("close_date") or date.min)
    return Deal(
        key=deal_key(row["source"], row["remote_id"]),
        name=row.get("name") or row["remote_id"],
        amount=Decimal(row["amount"]) if row.get("amount") is not None else Decimal(0),
        currency=(row.get("currency") or currency).upper(),
        state=state,
        created_at=created,
        close_date=row.get("close_date"),
        owner=owner,
        customer=customer,
        source=row["source"],
        stage=row.get("stage") or "",
        products=products,
        missing_fields=tuple(name for name in _CHECKED_FIELDS if not present[name]),
        reversed_on=reversed_on if state != "won" else None,
    )


def _reversal(row: Row) -> date | None:
    moment = _aware(row.get("remote_updated_at"))
    return moment.date() if moment is not None else None


class _Acts:
    """Collects a deal's acts, once per key, inside the window."""

    def __init__(self, start: date) -> None:
        self.start = start
        self.acts: dict[str, Act] = {}

    def add(self, act: Act) -> None:
        if act.at.date() >= self.start and act.key not in self.acts:
            self.acts[act.key] = act


def _touch(row: Row, directory: Directory) -> Act | None:
    """The act of an activity row (memoised on the row: activities recur across deals)."""
    if "_act" not in row:
        row["_act"] = _make_touch(row, directory)
    act: Act | None = row["_act"]
    return act


def _make_touch(row: Row, directory: Directory) -> Act | None:
    at = _aware(row.get("occurred_at") or row.get("remote_created_at"))
    if at is None:
        return None
    inbound = (row.get("direction") or "") == "inbound"
    source = row["source"]
    return Act(
        key=record_key(source, "activities", row["remote_id"]),
        kind="touch",
        employee=None if inbound else directory.key_of(source, row.get("owner_id")),
        at=at,
        channel=row.get("channel"),
        source=source,
        detail=f"{row.get('activity_type') or 'activity'}"
        + (" (inbound: the customer's own act)" if inbound else "")
        + (f": {row['subject']}" if row.get("subject") else ""),
    )


def _creator(row: Row, directory: Directory, creators: Creators) -> str | None:
    creator = creators(row)
    return directory.key_of(row["source"], creator) if creator else None


def _deal_acts(
    index: LinkIndex,
    deal: Row,
    directory: Directory,
    creators: Creators,
    lookback_days: int,
    as_of: date,
    digital: Mapping[str, Act],
) -> tuple[list[Act], list[tuple[str, str, str]], str | None, int]:
    source, rid = deal["source"], deal["remote_id"]
    end = deal.get("close_date") or as_of
    acts = _Acts(end - timedelta(days=lookback_days))
    roles = index.deal_contacts.get((source, rid), [])
    direct = _direct_people(index, deal, roles)
    this = deal_key(source, rid)
    person_ids, people = index.widen(direct)
    people = {r for r in people if not index.elsewhere(r, this)}
    org_ids, orgs = index.widen(
        {(source, "accounts", deal["account_id"])} if deal.get("account_id") else set()
    )
    _add_touches(acts, index, deal, directory, people, person_ids, orgs)
    logged = sum(1 for a in acts.acts.values() if a.employee is not None)
    for ident in sorted(person_ids):  # the digital touch that brought one of the people
        if ident in digital:
            acts.add(digital[ident])
    for record in sorted(people):
        _add_person_acts(acts, index, record, deal, directory, creators)
    for link in roles:
        _add_role_act(acts, link, source, directory, creators)
    _add_cases(
        acts, index, deal, [(source, "deals", rid), *sorted(people), *sorted(orgs)], directory
    )
    _add_deal_owner(acts, deal, directory)
    customer = ",".join(sorted(person_ids)) or ",".join(sorted(org_ids)) or None
    return list(acts.acts.values()), sorted(direct), customer, logged


def _direct_people(index: LinkIndex, deal: Row, roles: list[Row]) -> set[tuple[str, str, str]]:
    """The people a deal names: its contacts, its contact roles, the leads converted into it."""
    source, rid = deal["source"], deal["remote_id"]
    direct: set[tuple[str, str, str]] = set()
    for contact in index.contacts_of_deal(deal):  # its contact, a consumer account's person
        direct.add((source, "contacts", contact))
    for link in roles:
        direct.add((source, "contacts", link["contact_id"]))
    for lead in index.converted.get((source, rid), []):
        direct.add((source, "leads", lead["remote_id"]))
        if lead.get("converted_contact_id"):
            direct.add((source, "contacts", lead["converted_contact_id"]))
    return direct


def _mine(row: Row, this: str) -> bool:
    """Whether ``row`` names no deal or the deal ``this``."""
    other = row.get("deal_id")
    return not other or deal_key(row["source"], other) == this


def _add_touches(
    acts: _Acts,
    index: LinkIndex,
    deal: Row,
    directory: Directory,
    people: set[tuple[str, str, str]],
    person_ids: set[str],
    orgs: set[tuple[str, str, str]],
) -> None:
    source, rid = deal["source"], deal["remote_id"]
    this = deal_key(source, rid)
    for row in index.touches.get((source, "deals", rid), []):
        act = _touch(row, directory)
        if act is not None:
            acts.add(act)
    for record in sorted(people):
        for row in index.touches.get(record, []):
            act = _touch(row, directory) if _mine(row, this) else None
            if act is not None:
                acts.add(act)
    for record in sorted(orgs):
        for row in index.touches.get(record, []):
            person = None
            if row.get("contact_id"):
                person = (row["source"], "contacts", row["contact_id"])
            elif row.get("lead_id"):
                person = (row["source"], "leads", row["lead_id"])
            if person is not None and (
                index.identity(person) not in person_ids or index.elsewhere(person, this)
            ):
                continue
            act = _touch(row, directory) if _mine(row, this) else None
            if act is not None:
                acts.add(act)


def _add_person_acts(
    acts: _Acts,
    index: LinkIndex,
    record: tuple[str, str, str],
    deal: Row,
    directory: Directory,
    creators: Creators,
) -> None:
    """Capturing one of the deal's people, owning its converted lead, its campaigns."""
    rec_source, table, rec_id = record
    found = index.records.get((rec_source, table, rec_id))
    if found is None:
        return
    row = found
    owner = directory.key_of(rec_source, row.get("owner_id"))
    created = _aware(row.get("remote_created_at"))
    captured = table == "leads" or (rec_source, rec_id) not in index.converted_contacts
    if created is not None and row.get("source_channel") and captured:
        acts.add(
            Act(
                record_key(*record),
                "lead_source",
                owner,
                created,
                row.get("source_channel"),
                rec_source,
                f"captured the {table[:-1]}",
            )
        )
    source, rid = deal["source"], deal["remote_id"]
    if (
        table == "leads"
        and row.get("converted")
        and row.get("converted_deal_id") in (None, rid if rec_source == source else None)
    ):
        at = _aware(row.get("converted_at")) or created
        if at is not None:
            acts.add(
                Act(
                    record_key(*record) + "#owner",
                    "lead_owner",
                    owner,
                    at,
                    None,
                    rec_source,
                    "owned the converted lead",
                )
            )
    for member in index.members_of.get(record, []):
        at = _aware(member.get("remote_created_at"))
        if at is None:
            continue
        who = _creator(member, directory, creators) or owner
        acts.add(
            Act(
                record_key(member["source"], "campaign_members", member["remote_id"]),
                "campaign",
                who,
                at,
                "campaign",
                member["source"],
                f"campaign member: {member.get('campaign_name') or member['campaign_id']}",
            )
        )


def _add_role_act(
    acts: _Acts, link: Row, source: str, directory: Directory, creators: Creators
) -> None:
    at = _aware(link.get("remote_created_at"))
    if at is not None and link.get("role"):
        acts.add(
            Act(
                record_key(source, "deal_contacts", link["remote_id"]),
                "contact_role",
                _creator(link, directory, creators),
                at,
                None,
                source,
                f"contact role {link['role']}",
            )
        )


def _add_cases(
    acts: _Acts, index: LinkIndex, deal: Row, records: list[Any], directory: Directory
) -> None:
    """The cases of the deal, its people and its organisation (``records``)."""
    this = deal_key(deal["source"], deal["remote_id"])
    for record in records:
        for case in index.cases.get(record, []):
            at = _aware(case.get("opened_at"))
            if at is not None and _mine(case, this):
                acts.add(
                    Act(
                        record_key(case["source"], "cases", case["remote_id"]),
                        "case",
                        directory.key_of(case["source"], case.get("owner_id")),
                        at,
                        case.get("origin_channel"),
                        case["source"],
                        f"case {case.get('number') or case['remote_id']}",
                    )
                )


def _add_deal_owner(acts: _Acts, deal: Row, directory: Directory) -> None:
    source = deal["source"]
    owner = directory.key_of(source, deal.get("owner_id"))
    owned_at = (
        _day_start(deal["close_date"])
        if deal.get("close_date")
        else _aware(deal.get("remote_created_at"))
    )
    if owner is not None and owned_at is not None:
        acts.add(
            Act(
                deal_key(source, deal["remote_id"]) + "#owner",
                "deal_owner",
                owner,
                owned_at,
                None,
                source,
                "deal owner",
            )
        )


def build_evidence(
    snapshot: StoreSnapshot,
    identities: IdentityLookup | None,
    directory: Directory,
    *,
    as_of: date,
    lookback_days: int = 365,
    default_currency: str = "USD",
    paid_deals: Collection[str] = (),
    kinds: Mapping[str, str] | None = None,
    digital: Mapping[str, Act] | None = None,
) -> Evidence:
    """Every live deal of the store with its acts (sorted by deal key, acts by key).

    A deal in ``paid_deals`` (paid in a closed period) that is no longer won was reversed
    on the day the CRM last changed it: the engine claws it back. ``kinds`` gives each
    source's connector kind (a source not in it is taken to be of the kind it is named
    after), whose profile says who created a record. ``digital`` gives each person
    identity the lead-source act of the digital touch that brought it
    (``sync.compute.digital``).
    """
    index = LinkIndex(snapshot, identities)
    creators = Creators(snapshot, kinds)
    products = _products(snapshot)
    out = Evidence()
    for row in snapshot.rows("deals"):
        acts, people, customer, logged = _deal_acts(
            index, row, directory, creators, lookback_days, as_of, digital or {}
        )
        key = deal_key(row["source"], row["remote_id"])
        deal = _deal(
            row,
            people,
            directory.key_of(row["source"], row.get("owner_id")),
            customer,
            default_currency,
            _reversal(row) if key in paid_deals else None,
            products.get((row["source"], row["remote_id"]), ()),
        )
        out.deals.append(DealEvidence(deal, tuple(sorted(acts, key=lambda a: a.key))))
        out.refs[key] = (row["source"], row["remote_id"])
        out.activities[key] = logged
        out.names[key] = deal.name
    out.deals.sort(key=lambda e: e.deal.key)
    return out
