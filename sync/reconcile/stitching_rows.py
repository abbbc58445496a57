"""The events identity stitching reads, one anonymous id (or one user id) at a time.

What stitching makes of an anonymous id depends only on that id's own events, in time
order, and on which person each user id proves; what it makes of a user id depends only
on that user id's events. So the events are read grouped by the id (a query ordered by
it, or a few hundred ids per query), each group sorted in time order on its own: memory
holds one group, not the stream's events with evidence (400,000 rows of a million-event
stream), and the links are the ones a sort of all of them gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, literal, or_, select

from sync.reconcile.stitching_links import USER_KEY
from sync.store.chunks import chunks
from sync.store.records import EventRow
from sync.store.table_model import table_of

__all__ = [
    "COLUMNS",
    "EVENTS",
    "KEY",
    "LIVE",
    "Event",
    "by_key",
    "by_user",
    "in_order",
    "key_of",
    "keys_events",
    "users_events",
]

EVENTS = table_of(EventRow).c
_E = EVENTS
# (message id, type, anonymous id, user id, previous id, e-mail, phone, time, source)
Event = tuple[str, str, str | None, str | None, str | None, str | None, str | None, Any, str]
COLUMNS = (
    _E.remote_id,
    _E.event_type,
    _E.anonymous_id,
    _E.user_id,
    _E.previous_id,
    _E.email,
    _E.phone,
    _E.occurred_at,
    _E.source,
)
LIVE = _E.is_deleted.is_(False)
HAS_EVIDENCE = or_(_E.email.is_not(None), _E.phone.is_not(None), _E.user_id.is_not(None))
# what an event is stitched by: an alias by the id it ties, a server-side event (a userId
# and no anonymousId) by its user id as ``user:<userId>``, any other by its anonymous id
KEY = case(
    (_E.event_type == "alias", _E.previous_id),
    (_E.anonymous_id.is_not(None), _E.anonymous_id),
    else_=literal(USER_KEY).concat(_E.user_id),
)


def key_of(row: Event) -> str | None:
    """``KEY`` of an event read."""
    _, kind, anon, user_id, previous_id = row[:5]
    if kind == "alias":
        return previous_id
    if anon is None and user_id is not None:
        return USER_KEY + user_id
    return anon


def _order(row: Event) -> tuple[Any, ...]:
    return (row[7] is not None, row[7], row[8], row[0])


def in_order(rows: Iterable[Any]) -> list[Event]:
    """Events in the one order stitching reads them: by time, then source and message id
    (a time-less event first, as SQL sorts NULL)."""
    return sorted((tuple(r) for r in rows), key=_order)


def by_key(connection: Connection) -> Iterator[Event]:
    """Every live event with evidence (an e-mail, a phone or a user id), one key after the
    other, each key's in time order."""
    query = select(*COLUMNS).where(LIVE, HAS_EVIDENCE).order_by(KEY)
    for _, group in groupby(connection.execute(query), key=lambda r: key_of(tuple(r))):
        yield from in_order(group)


def by_user(connection: Connection) -> Iterator[Event]:
    """Every live event with a user id, one user id after the other, each in time order."""
    query = select(*COLUMNS).where(LIVE, _E.user_id.is_not(None)).order_by(_E.user_id)
    for _, group in groupby(connection.execute(query), key=lambda r: r[3]):
        yield from in_order(group)


def keys_events(connection: Connection, keys: list[str]) -> Iterator[list[Event]]:
    """Every live event of ``keys`` (sorted), a few hundred keys per query and per list,
    one key after the other, each key's in time order."""
    for chunk in chunks(keys):
        wanted = set(chunk)
        anons = [k for k in chunk if not k.startswith(USER_KEY)]
        server = [k.removeprefix(USER_KEY) for k in chunk if k.startswith(USER_KEY)]
        conditions: list[ColumnElement[bool]] = []
        if anons:
            conditions += [_E.anonymous_id.in_(anons), _E.previous_id.in_(anons)]
        if server:
            conditions.append(and_(_E.anonymous_id.is_(None), _E.user_id.in_(server)))
        found: dict[tuple[str, str], Event] = {}
        for condition in conditions:
            for got in connection.execute(select(*COLUMNS).where(LIVE, condition)):
                row: Event = tuple(got)
                if key_of(row) in wanted:
                    found[(row[8], row[0])] = row
        groups: dict[str, list[Event]] = {}
        for row in found.values():
            groups.setdefault(key_of(row), []).append(row)  # type: ignore[arg-type]
        yield [row for key in sorted(groups) for row in in_order(groups[key])]


def users_events(connection: Connection, user_ids: list[str]) -> Iterator[Event]:
    """Every live event of ``user_ids`` (sorted), one user id after the other, each in
    time order."""
    for chunk in chunks(user_ids):
        groups: dict[str, list[Event]] = {}
        for got in connection.execute(select(*COLUMNS).where(LIVE, _E.user_id.in_(chunk))):
            groups.setdefault(got[3], []).append(tuple(got))
        for user_id in sorted(groups):
            yield from in_order(groups.pop(user_id))
