"""Acts in words for statements: what an employee did, as their CRM shows it.

Plan results name acts by record key (``salesforce:activities:00U5...``,
``hubspot:contacts:100118``); a rep does not know those ids. An activity reads as its
subject (else its type) and day, a lead-source contact as the person's name. Other acts
(a deal's ownership, which the line's role already says) get no words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, tuple_

from sync.store.chunks import chunks
from sync.store.record_key import RecordKey
from sync.store.records import ActivityRow, ContactRow
from sync.store.table_model import table_of

__all__ = ["describe_acts"]


def describe_acts(engine: Engine, acts: Iterable[str]) -> dict[str, str]:
    """act key -> words, for the keys of ``acts`` the store can describe."""
    wanted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for act in acts:
        key = RecordKey.parse_or_none(act)
        if key is None:
            continue
        source, kind, remote_id = key
        if kind in ("activities", "contacts") and "#" not in remote_id:
            wanted[kind].add((source, remote_id))
    words: dict[str, str] = {}
    activities = table_of(ActivityRow)
    contacts = table_of(ContactRow)
    with engine.connect() as conn:
        for chunk in chunks(sorted(wanted["activities"]), 400):
            rows = conn.execute(
                activities.select()
                .with_only_columns(
                    activities.c.source,
                    activities.c.remote_id,
                    activities.c.subject,
                    activities.c.activity_type,
                    activities.c.occurred_at,
                )
                .where(tuple_(activities.c.source, activities.c.remote_id).in_(chunk))
            ).all()
            for r in rows:
                what = (r.subject or r.activity_type or "").strip()
                day = r.occurred_at.date().isoformat() if r.occurred_at else ""
                text = ", ".join(part for part in (what, day) if part)
                if text:
                    words[f"{r.source}:activities:{r.remote_id}"] = text
        for chunk in chunks(sorted(wanted["contacts"]), 400):
            people = conn.execute(
                contacts.select()
                .with_only_columns(
                    contacts.c.source,
                    contacts.c.remote_id,
                    contacts.c.first_name,
                    contacts.c.last_name,
                )
                .where(tuple_(contacts.c.source, contacts.c.remote_id).in_(chunk))
            ).all()
            for person in people:
                parts = (person.first_name, person.last_name)
                name = " ".join(part for part in parts if part).strip()
                if name:
                    words[f"{person.source}:contacts:{person.remote_id}"] = name
    return words
