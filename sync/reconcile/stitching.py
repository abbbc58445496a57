"""Identity stitching: which known person each anonymous id (a browser, a device) is.

Digital events name a device by its ``anonymousId`` and, once someone logs in, signs up,
submits a form or clicks an e-mail, carry evidence of who it is: an e-mail address, a phone
number or a ``userId``. Stitching turns that evidence into links from anonymous ids to the
person identities reconciliation built from the CRMs:

- an e-mail or phone matches the people records (leads and contacts, a person account's
  person among the contacts) that hold it, through the same normalisation reconciliation
  uses (``email_key``, ``phone_key``); an address one typo away from a known domain is read
  as that domain (``gmial.com``), one keystroke away from exactly one known address on its
  domain as that address; a value that more than one identity holds proves nothing and is
  left out;
- a ``userId`` is one person once an event carries it with a matching e-mail or phone; a
  user id seen with two people is ambiguous and is left out;
- an ``alias`` ties its ``previousId`` (an anonymous id) to its ``userId``'s person.

An anonymous id with evidence of one person is ``linked`` to that identity: all its events
are that person's touches. An id with evidence of several people (a family computer, a
trade-show tablet) is ``shared``: it is stored against each of them, with only the events
that identified each, and never joins them. Stitching only adds links from devices to
identities; it never merges two identities, so no shared device can make two known people
one. The same events always give the same links, whatever the order they came in.

Stitching is incremental: it keeps the store's change number its links cover
(``event_stitch_state``), and the next run reads only the events written after it. Those
touch a few anonymous ids, and through their user ids the ids those users were seen on;
only these are stitched again, from all their events, which gives exactly the links a full
stitching would. A change of the people evidence (a new lead, an e-mail edited, a merge of
two identities) adds the ids whose events read differently through the e-mail and phone
keys that changed (``stitching_changes``, against the people kept with the links in
``event_stitch_people``). ``full=True`` stitches everything, as does a run with more ids
to stitch again than an incremental run is worth.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, inspect, select

from sync.reconcile.stitching_changes import (
    changed_keys,
    keys_reading_differently,
    save_people,
    stored_count,
    stored_people,
)
from sync.reconcile.stitching_links import explain_anonymous, linked_events
from sync.reconcile.stitching_people import People, digest_of, evidence
from sync.reconcile.stitching_rows import (
    EVENTS,
    KEY,
    LIVE,
    Event,
    by_key,
    by_user,
    key_of,
    keys_events,
    users_events,
)
from sync.store.changes import last_change
from sync.store.chunks import chunks
from sync.store.event_links import EventLinkRow, EventStitchStateRow
from sync.store.table_model import table_of
from sync.store.view.identity_map import load_identity_map

__all__ = ["StitchReport", "explain_anonymous", "linked_events", "stitch"]

_SHARED_MESSAGES = 50  # message ids kept per person on a shared id (its identified events)
_BATCH = 5_000
# More anonymous ids than this to stitch again, and one pass over all events is cheaper.
_INCREMENTAL_MAX = 20_000
_E = EVENTS
_KEY = KEY


@dataclass
class StitchReport:
    """What a stitching run found (an incremental run: over the anonymous ids it stitched)."""

    mode: str = "full"
    events: int = 0
    people_changed: int = 0  # e-mail and phone keys that name someone else, or no one, now
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


def stitch(
    engine: Engine, now: datetime, run_id: int | None = None, *, full: bool = False
) -> StitchReport:
    """Link the anonymous ids with evidence to their people and store the links: those of
    the events written since the last stitching, or all of them (``full``, or whenever an
    incremental run cannot give the same result)."""
    started = time.perf_counter()
    report = StitchReport()
    if "events" not in set(inspect(engine).get_table_names()):
        return report
    with engine.connect() as connection:
        if connection.execute(select(_E.id).limit(1)).first() is None:
            return report  # no events: nothing to link, and no people to index
    identities = load_identity_map(engine)
    with engine.begin() as connection:
        mark = last_change(connection)  # every event numbered up to it is visible
        people = People(connection, identities)
        digest = people.digest()
        state = connection.execute(select(table_of(EventStitchStateRow))).first()
        keys, old = None, None
        if not full and state is not None:
            keys = _touched(connection, state.change_seq)
            if state.people_digest != digest or stored_count(connection) != len(people.keys):
                old = stored_people(connection)
            if keys is not None and state.people_digest != digest:
                keys = _people_touched(connection, people, old or {}, state, keys, report)
        if keys is None:
            _stitch_all(connection, people, report, run_id)
            if old is None:
                old = stored_people(connection)
        else:
            report.mode = "incremental"
            _stitch_keys(connection, people, keys, report, run_id)
        if old is not None:
            save_people(connection, old, people.keys)
        _save_state(connection, mark, digest, now, run_id)
    report.seconds = time.perf_counter() - started
    return report


def _people_touched(
    connection: Connection,
    people: People,
    old: dict[str, tuple[str, str]],
    state: Any,
    keys: set[str],
    report: StitchReport,
) -> set[str] | None:
    """``keys`` and the keys of the events the change of the people since the last
    stitching may read differently (``stitching_changes``), with every key of their user
    ids; ``None`` when the saved people are not the ones that stitching used, or too
    many ids are touched."""
    if digest_of(old) != state.people_digest:
        return None  # stitched before the people were kept with the links
    changed = changed_keys(old, people.keys)
    report.people_changed = len(changed)
    found = keys_reading_differently(connection, people, changed, _KEY, _INCREMENTAL_MAX)
    if found is None:
        return None
    more, user_ids = found
    keys = keys | more
    for chunk in chunks(sorted(user_ids)):
        got = connection.execute(select(_KEY).where(_E.user_id.in_(chunk))).scalars()
        keys.update(k for k in got if k is not None)
    return keys if len(keys) <= _INCREMENTAL_MAX else None


def _stitch_all(
    connection: Connection, people: People, report: StitchReport, run_id: int | None
) -> None:
    """Every anonymous id again: counts from one grouped query, links from the events that
    carry evidence (an e-mail, a phone or a user id), read one id at a time."""
    query = select(_KEY, func.count()).where(LIVE).group_by(_KEY)
    counts = {key: int(n) for key, n in connection.execute(query) if key is not None}
    users: dict[str, Any] = {}
    ambiguous: set[str] = set()
    _users(people, by_user(connection), users, ambiguous)
    report.user_ids, report.ambiguous_user_ids = len(users), len(ambiguous)
    links: dict[str, dict[str, _Link]] = {}
    _links(people, by_key(connection), users, report, links)
    report.events, report.anonymous_ids = sum(counts.values()), len(counts)
    connection.execute(delete(table_of(EventLinkRow)))
    _write(connection, links, counts, report, run_id)


def _touched(connection: Connection, mark: int) -> set[str] | None:
    """The keys the events written after ``mark`` touch, and the keys of every event of
    their user ids (whose proof those events may have given or made ambiguous); ``None``
    when there are too many for an incremental run."""
    query = select(_KEY, _E.user_id).where(_E.change_seq > mark)
    keys: set[str] = set()
    user_ids: set[str] = set()
    for key, user_id in connection.execute(query):
        if key is not None:
            keys.add(key)
        if user_id is not None:
            user_ids.add(user_id)
    for chunk in chunks(sorted(user_ids)):
        found = connection.execute(select(_KEY).where(_E.user_id.in_(chunk))).scalars()
        keys.update(k for k in found if k is not None)
    return keys if len(keys) <= _INCREMENTAL_MAX else None


def _stitch_keys(
    connection: Connection,
    people: People,
    keys: set[str],
    report: StitchReport,
    run_id: int | None,
) -> None:
    """Stitch ``keys`` again from all their events, read a few hundred ids at a time
    with the events of their user ids not read yet; the other links stay as they are."""
    ordered = sorted(keys)
    counts: dict[str, int] = defaultdict(int)
    users: dict[str, Any] = {}
    ambiguous: set[str] = set()
    read: set[str] = set()
    links: dict[str, dict[str, _Link]] = {}
    for rows in keys_events(connection, ordered):
        new: set[str] = set()
        for row in rows:
            counts[key_of(row)] += 1  # type: ignore[index]
            if row[3] is not None and row[3] not in read:
                new.add(row[3])
        read |= new
        _users(people, users_events(connection, sorted(new)), users, ambiguous)
        _links(people, rows, users, report, links)
    report.user_ids, report.ambiguous_user_ids = len(users), len(ambiguous)
    report.events, report.anonymous_ids = sum(counts.values()), len(counts)
    table = table_of(EventLinkRow)
    for chunk in chunks(ordered):
        connection.execute(delete(table).where(table.c.anonymous_id.in_(chunk)))
    _write(connection, links, counts, report, run_id)


def _users(
    people: People, rows: Iterable[Event], users: dict[str, Any], ambiguous: set[str]
) -> None:
    """Add to ``users`` userId -> (identity, member, message id) from the events that carry
    it with proof, and to ``ambiguous`` those proven to be several people (``rows``: each
    user id's in time order, all its events at once)."""
    for message_id, _kind, _anon, user_id, _prev, email, phone, _at, _source in rows:
        if user_id is None or user_id in ambiguous:
            continue
        proof = evidence(people, email, phone) or (
            evidence(people, user_id, None) if "@" in user_id else None
        )
        if proof is None:
            continue
        known = users.get(user_id)
        if known is None:
            users[user_id] = (proof[0], proof[1], message_id)
        elif known[0] != proof[0]:
            ambiguous.add(user_id)
            del users[user_id]


def _links(
    people: People,
    rows: Iterable[Event],
    users: dict[str, Any],
    report: StitchReport,
    links: dict[str, dict[str, _Link]],
) -> None:
    """Add to ``links`` each key's people, with the evidence and the first event that
    proved each (``rows``: each key's in time order, all its events at once)."""
    for row in rows:
        message_id, kind, _anon, user_id, _prev, email, phone, at, _source = row
        key = key_of(row)
        if key is None:
            continue
        proof = evidence(people, email, phone) if email or phone else None
        if proof is None and user_id is not None and user_id in users:
            identity, member, _ = users[user_id]
            proof = (identity, member, "alias" if kind == "alias" else "user_id")
        if proof is None:
            report.unmatched_evidence += bool(email or phone)
            continue
        identity, member, kind_of_proof = proof
        found = links.setdefault(key, {})
        link = found.get(identity)
        if link is None:
            link = found[identity] = _Link(kind_of_proof, message_id, member, at)
        if len(link.messages) < _SHARED_MESSAGES:
            link.messages.append(message_id)


def _write(
    connection: Connection,
    links: dict[str, dict[str, _Link]],
    counts: dict[str, int],
    report: StitchReport,
    run_id: int | None,
) -> None:
    table = table_of(EventLinkRow)
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


def _save_state(
    connection: Connection, mark: int, digest: str, now: datetime, run_id: int | None
) -> None:
    table = table_of(EventStitchStateRow)
    connection.execute(delete(table))
    values = {"id": 1, "change_seq": mark, "people_digest": digest, "stitched_at": now}
    connection.execute(table.insert().values(**values, run_id=run_id))
