"""What a change of the people evidence re-links, for incremental identity stitching.

Stitching reads the people through one map, e-mail or phone key -> (identity, record)
(``stitching_people.People``), kept with the links in ``event_stitch_people``. When the
people changed since the last stitching (a new lead, an e-mail edited, two identities
merged), the keys whose entry changed tell which events may read differently now:

- an e-mail is read through its own key, the key its domain's usual typo stands for
  (``gmial.com``), and the known addresses of its domain one keystroke away: it may read
  differently only when a changed key is on one of those two domains;
- a phone is read through its own key only.

Those events are stitched again, with every anonymous id their user ids were seen on (the
proof of a user id may have changed with them), which gives the links a full stitching
gives. A change on a domain everyone uses (``gmail.com``) touches many ids, and the run
then stitches everything, as it does above its limit of ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, or_, select

from sync.reconcile.stitching_people import People
from sync.store.chunks import chunks
from sync.store.event_links import EventStitchPeopleRow
from sync.store.records import EventRow
from sync.store.table_model import table_of

__all__ = [
    "PeopleMap",
    "changed_keys",
    "keys_reading_differently",
    "save_people",
    "stored_count",
    "stored_people",
]

PeopleMap = Mapping[str, tuple[str, str]]
_P = table_of(EventStitchPeopleRow)
_E = table_of(EventRow).c


def stored_people(connection: Connection) -> dict[str, tuple[str, str]]:
    """The people map the last stitching saved."""
    query = select(_P.c.key, _P.c.identity_id, _P.c.member)
    return {key: (identity, member) for key, identity, member in connection.execute(query)}


def stored_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(_P)).scalar_one())


def save_people(connection: Connection, old: PeopleMap, new: PeopleMap) -> None:
    """Make ``event_stitch_people`` (holding ``old``) hold ``new``: only the keys that
    changed are written."""
    gone = sorted(k for k, v in old.items() if new.get(k) != v)
    for chunk in chunks(gone):
        connection.execute(delete(_P).where(_P.c.key.in_(chunk)))
    rows = [
        {"key": k, "identity_id": v[0], "member": v[1]}
        for k, v in sorted(new.items())
        if old.get(k) != v
    ]
    for start in range(0, len(rows), 5_000):
        connection.execute(_P.insert(), rows[start : start + 5_000])


def changed_keys(old: PeopleMap, new: PeopleMap) -> set[str]:
    """The keys added, removed or now naming another identity or record."""
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}


def keys_reading_differently(
    connection: Connection,
    people: People,
    changed: set[str],
    key_of: ColumnElement[Any],
    limit: int,
) -> tuple[set[str], set[str]] | None:
    """The stitching keys (``key_of``: the SQL expression of an event's key) of the events
    whose e-mail, phone or e-mail-like user id may read differently after ``changed``,
    and those events' user ids; ``None`` past ``limit`` keys."""
    domains = {k[2:].rpartition("@")[2] for k in changed if k.startswith("e:")}
    phones = {k[2:] for k in changed if k.startswith("p:")}
    if not domains and not phones:
        return set(), set()
    has = or_(_E.email.is_not(None), _E.phone.is_not(None), _E.user_id.is_not(None))
    query = select(key_of, _E.user_id, _E.email, _E.phone).where(has)
    keys: set[str] = set()
    user_ids: set[str] = set()
    for key, user_id, email, phone in connection.execute(query):
        affected = False
        for value in (email, user_id if user_id and "@" in user_id else None):
            if value and domains:
                affected = affected or not domains.isdisjoint(people.email_domains(value))
        if not affected and phone and phones:
            affected = people.phone_number(phone) in phones
        if affected:
            if key is not None:
                keys.add(key)
            if user_id is not None:
                user_ids.add(user_id)
            if len(keys) > limit:
                return None
    return keys, user_ids
