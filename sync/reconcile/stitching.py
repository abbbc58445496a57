"""Identity stitching: which known person each anonymous id (a browser, a device) is.

Digital events name a device by its ``anonymousId`` and, once someone logs in, signs up,
submits a form or clicks an e-mail, carry evidence of who it is: an e-mail address, a phone
number or a ``userId``. Stitching turns that evidence into links from anonymous ids to the
person identities reconciliation built from the CRMs:

- an e-mail or phone matches the people records (leads and contacts) that hold it, through
  the same normalisation reconciliation uses (``email_key``, ``phone_key``); an address one
  typo away from a known domain is read as that domain (``gmial.com``); a value that more
  than one identity holds proves nothing and is left out;
- a ``userId`` is one person once an event carries it with a matching e-mail or phone; a
  user id seen with two people is ambiguous and is left out;
- an ``alias`` ties its ``previousId`` (an anonymous id) to its ``userId``'s person.

An anonymous id with evidence of one person is ``linked`` to that identity: all its events
are that person's touches. An id with evidence of several people (a family computer, a
trade-show tablet) is ``shared``: it is stored against each of them, with only the events
that identified each, and never joins them. Stitching only adds links from devices to
identities; it never merges two identities, so no shared device can make two known people
one. Links are recomputed from all events each run, in a fixed order, so the same events
always give the same links.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, inspect, select

from sync.reconcile.normalize import email_key, phone_key
from sync.store.event_links import EventLinkRow
from sync.store.records import ContactRow, EventRow, LeadRow
from sync.store.view.identity_map import IdentityMap, load_identity_map

__all__ = ["StitchReport", "explain_anonymous", "linked_events", "stitch"]

# Domains typed wrong often enough to read as the intended one.
_DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gmail.co": "gmail.com",
    "gmail.con": "gmail.com",
    "gnail.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmai.com": "hotmail.com",
    "hotmail.con": "hotmail.com",
    "yaho.com": "yahoo.com",
    "yahoo.con": "yahoo.com",
    "outlok.com": "outlook.com",
}
_SHARED_MESSAGES = 50  # message ids kept per person on a shared id (its identified events)
_BATCH = 5_000
_USER = "user:"  # the link key of events that carry a userId and no anonymousId


@dataclass
class StitchReport:
    """What a stitching run found."""

    events: int = 0
    anonymous_ids: int = 0
    linked: int = 0
    shared: int = 0
    user_ids: int = 0
    ambiguous_user_ids: int = 0
    unmatched_evidence: int = 0
    seconds: float = 0.0
    by_evidence: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass
class _Link:
    evidence: str
    message_id: str
    member: str
    first_at: datetime | None
    messages: list[str] = field(default_factory=list)


class _People:
    """Known people's e-mails and phones -> (identity, member record)."""

    def __init__(self, connection: Connection, identities: IdentityMap) -> None:
        found: dict[str, dict[str, str]] = defaultdict(dict)  # key -> {identity: member}
        for table, model in (("leads", LeadRow), ("contacts", ContactRow)):
            c = model.__table__.c  # type: ignore[union-attr]
            names = ("source", "remote_id", "email", "other_emails", "phone", "mobile")
            query = select(*(c[n] for n in names), c.country).where(c.is_deleted.is_(False))
            for row in connection.execute(query.order_by(c.source, c.remote_id)):
                source, remote_id, email, others, phone, mobile, country = tuple(row)
                member = f"{source}:{table}:{remote_id}"
                identity = identities.identity_of(source, table, remote_id) or member
                for value in (email, *(others or ())):
                    key = email_key(value)
                    if key:
                        found[f"e:{key}"].setdefault(identity, member)
                for value in (phone, mobile):
                    number = phone_key(value, country_code(country))
                    if number:
                        found[f"p:{number}"].setdefault(identity, member)
        # a value several identities hold (a shared inbox, a switchboard) proves nothing
        self.keys = {k: next(iter(v.items())) for k, v in found.items() if len(v) == 1}

    def by_email(self, value: str | None) -> tuple[str, str] | None:
        key = email_key(value)
        if key is None:
            return None
        hit = self.keys.get(f"e:{key}")
        if hit is None and "@" in key:
            local, domain = key.rsplit("@", 1)
            fixed = _DOMAIN_TYPOS.get(domain)
            hit = self.keys.get(f"e:{email_key(f'{local}@{fixed}')}") if fixed else None
        return hit

    def by_phone(self, value: str | None) -> tuple[str, str] | None:
        number = phone_key(value)
        return self.keys.get(f"p:{number}") if number else None


def country_code(country: str | None) -> str | None:
    """A two-letter country as the region phone numbers are read in; else none."""
    return country.upper() if country and len(country) == 2 else None


_Event = tuple[str, str, str | None, str | None, str | None, str | None, str | None, Any]


def _events(connection: Connection) -> Iterator[_Event]:
    e = EventRow.__table__.c  # type: ignore[attr-defined]
    names = ("remote_id", "event_type", "anonymous_id", "user_id", "previous_id", "email")
    query = (
        select(*(e[n] for n in names), e.phone, e.occurred_at)
        .where(e.is_deleted.is_(False))
        .order_by(e.occurred_at, e.source, e.remote_id)
    )
    yield from connection.execute(query.execution_options(yield_per=_BATCH))  # type: ignore[misc]


def _evidence(people: _People, email: str | None, phone: str | None) -> tuple[str, str, str] | None:
    """(identity, member, evidence kind) an event's own e-mail or phone proves."""
    if email:
        hit = people.by_email(email)
        if hit:
            return hit[0], hit[1], "email"
    if phone:
        hit = people.by_phone(phone)
        if hit:
            return hit[0], hit[1], "phone"
    return None


def _users(people: _People, rows: Iterable[_Event], report: StitchReport) -> dict[str, Any]:
    """userId -> (identity, member, message id) from events that carry it with proof."""
    users: dict[str, Any] = {}
    ambiguous: set[str] = set()
    for message_id, _kind, _anon, user_id, _prev, email, phone, _at in rows:
        if user_id is None or user_id in ambiguous:
            continue
        proof = _evidence(people, email, phone) or (
            _evidence(people, user_id, None) if "@" in user_id else None
        )
        if proof is None:
            continue
        known = users.get(user_id)
        if known is None:
            users[user_id] = (proof[0], proof[1], message_id)
        elif known[0] != proof[0]:
            ambiguous.add(user_id)
            del users[user_id]
    report.user_ids, report.ambiguous_user_ids = len(users), len(ambiguous)
    return users


def stitch(engine: Engine, now: datetime, run_id: int | None = None) -> StitchReport:
    """Link every anonymous id with evidence to its people; replace the stored links."""
    started = time.perf_counter()
    report = StitchReport()
    if "events" not in set(inspect(engine).get_table_names()):
        return report
    with engine.connect() as connection:
        e = EventRow.__table__  # type: ignore[attr-defined]
        if connection.execute(select(e.c.id).limit(1)).first() is None:
            return report  # no events: nothing to link, and no people to index
    identities = load_identity_map(engine)
    with engine.begin() as connection:
        people = _People(connection, identities)
        rows = list(_events(connection))
        report.events = len(rows)
        users = _users(people, rows, report)
        links: dict[str, dict[str, _Link]] = defaultdict(dict)
        counts: dict[str, int] = defaultdict(int)
        for message_id, kind, anon, user_id, previous_id, email, phone, at in rows:
            if kind == "alias":
                anon = previous_id
            elif anon is None and user_id is not None:
                anon = _USER + user_id  # a server-side event: the user id is the device
            if anon is None:
                continue
            counts[anon] += 1
            proof = _evidence(people, email, phone)
            if proof is None and user_id is not None and user_id in users:
                identity, member, _ = users[user_id]
                proof = (identity, member, "alias" if kind == "alias" else "user_id")
            if proof is None:
                report.unmatched_evidence += bool(email or phone)
                continue
            identity, member, evidence = proof
            link = links[anon].get(identity)
            if link is None:
                link = links[anon][identity] = _Link(evidence, message_id, member, at)
            if len(link.messages) < _SHARED_MESSAGES:
                link.messages.append(message_id)
        report.anonymous_ids = len(counts)
        _write(connection, links, counts, report, run_id)
    report.seconds = time.perf_counter() - started
    return report


def _write(
    connection: Connection,
    links: dict[str, dict[str, _Link]],
    counts: dict[str, int],
    report: StitchReport,
    run_id: int | None,
) -> None:
    table = EventLinkRow.__table__  # type: ignore[attr-defined]
    connection.execute(delete(table))
    rows: list[dict[str, Any]] = []
    by_evidence: dict[str, int] = defaultdict(int)
    for anon in sorted(links):
        people = links[anon]
        status = "linked" if len(people) == 1 else "shared"
        report.linked += status == "linked"
        report.shared += status == "shared"
        for identity in sorted(people):
            link = people[identity]
            by_evidence[link.evidence] += 1
            detail = {"messages": link.messages} if status == "shared" else {}
            rows.append(
                {
                    "anonymous_id": anon,
                    "identity_id": identity,
                    "status": status,
                    "evidence": link.evidence,
                    "message_id": link.message_id,
                    "member": link.member,
                    "first_at": link.first_at,
                    "events": counts[anon] if status == "linked" else len(link.messages),
                    "detail": detail,
                    "run_id": run_id,
                }
            )
            if len(rows) >= _BATCH:
                connection.execute(table.insert(), rows)
                rows = []
    if rows:
        connection.execute(table.insert(), rows)
    report.by_evidence = dict(sorted(by_evidence.items()))


def linked_events(connection: Connection, identity_id: str) -> list[Any]:
    """The events stitching gives ``identity_id``: every event of its linked anonymous ids,
    and on a shared id only the events that identified this person."""
    links = EventLinkRow.__table__  # type: ignore[attr-defined]
    found = connection.execute(
        select(links.c.anonymous_id, links.c.status, links.c.detail).where(
            links.c.identity_id == identity_id
        )
    ).all()
    linked = sorted(a for a, status, _ in found if status == "linked")
    anons = [a for a in linked if not a.startswith(_USER)]
    users = [a.removeprefix(_USER) for a in linked if a.startswith(_USER)]
    messages = sorted({m for _, status, d in found if status == "shared" for m in d["messages"]})
    e = EventRow.__table__  # type: ignore[attr-defined]
    events: list[Any] = []
    for column, values in (
        (e.c.anonymous_id, anons),
        (e.c.user_id, users),
        (e.c.remote_id, messages),
    ):
        for chunk in _chunks(values):
            query = select(e).where(column.in_(chunk), e.c.is_deleted.is_(False))
            events += connection.execute(query).all()
    unique = {(row.source, row.remote_id): row for row in events}
    return sorted(unique.values(), key=lambda r: (r.occurred_at, r.remote_id))


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_WHY = {
    "email": "an event carried an e-mail address that this person's record holds",
    "phone": "an event carried a phone number that this person's record holds",
    "user_id": "an event carried a userId proven to be this person by its e-mail or phone",
    "alias": "an alias tied this anonymous id to a userId proven to be this person",
}


def explain_anonymous(connection: Connection, key: str) -> dict[str, Any] | None:
    """Why an anonymous id (or ``user:<userId>``) is linked to its people; ``None`` when
    stitching has no link for it."""
    links = EventLinkRow.__table__  # type: ignore[attr-defined]
    rows = connection.execute(
        select(links).where(links.c.anonymous_id == key).order_by(links.c.identity_id)
    ).all()
    if not rows:
        return None
    return {
        "anonymous_id": key,
        "status": rows[0].status,
        "links": [
            {
                "identity": row.identity_id,
                "evidence": row.evidence,
                "why": _WHY.get(row.evidence, row.evidence),
                "event": row.message_id,
                "record": row.member,
                "first_at": row.first_at.isoformat() if row.first_at else None,
                "events": row.events,
            }
            for row in rows
        ],
    }
