"""What stitching's links give a person, and why an anonymous id is linked: the events of
a person's journey (``linked_events``) and ``crmsync reconcile explain ANONYMOUS_ID``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from sync.store.chunks import chunks
from sync.store.event_links import EventLinkRow
from sync.store.records import EventRow
from sync.store.table_model import table_of

__all__ = ["USER_KEY", "explain_anonymous", "linked_events"]

USER_KEY = "user:"  # the link key of events that carry a userId and no anonymousId


def linked_events(connection: Connection, identity_id: str) -> list[Any]:
    """The events stitching gives ``identity_id``: every event of its linked anonymous ids,
    and on a shared id only the events that identified this person."""
    links = table_of(EventLinkRow)
    found = connection.execute(
        select(links.c.anonymous_id, links.c.status, links.c.detail).where(
            links.c.identity_id == identity_id
        )
    ).all()
    linked = sorted(a for a, status, _ in found if status == "linked")
    anons = [a for a in linked if not a.startswith(USER_KEY)]
    users = [a.removeprefix(USER_KEY) for a in linked if a.startswith(USER_KEY)]
    messages = sorted({m for _, status, d in found if status == "shared" for m in d["messages"]})
    e = table_of(EventRow)
    events: list[Any] = []
    for column, values in (
        (e.c.anonymous_id, anons),
        (e.c.user_id, users),
        (e.c.remote_id, messages),
    ):
        for chunk in chunks(values):
            query = select(e).where(column.in_(chunk), e.c.is_deleted.is_(False))
            events += connection.execute(query).all()
    unique = {(row.source, row.remote_id): row for row in events}
    return sorted(unique.values(), key=lambda r: (r.occurred_at, r.remote_id))


_WHY = {
    "email": "an event carried an e-mail address that this person's record holds",
    "phone": "an event carried a phone number that this person's record holds",
    "user_id": "an event carried a userId proven to be this person by its e-mail or phone",
    "alias": "an alias tied this anonymous id to a userId proven to be this person",
}


def explain_anonymous(connection: Connection, key: str) -> dict[str, Any] | None:
    """Why an anonymous id (or ``user:<userId>``) is linked to its people; ``None`` when
    stitching has no link for it."""
    links = table_of(EventLinkRow)
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
