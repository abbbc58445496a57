"""Targets resolved against the store: which records get which value for each field.

A ``via: record`` target takes the value published on the record itself. A
``via: owned_records`` target (for CRMs whose users take no custom fields) copies
the value published on each user to every live record of ``object`` that user owns.
Records crmsync wrote before but that lost their value are included with ``None`` (the
field is emptied when the target says ``clear_when_missing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from connectors.core.contract import STREAM_RECORD_TYPES
from connectors.core.registry import profile_of
from sync.config.push import PushTarget
from sync.store.records import TABLES
from sync.store.table_model import table_of

__all__ = [
    "Published",
    "StoreRecord",
    "default_api_name",
    "desired_for",
    "index_published",
    "load_store_records",
]

# (source, object, key) -> {remote id: canonical value}
Published = Mapping[tuple[str, str, str], Mapping[str, str | None]]


@dataclass(frozen=True)
class StoreRecord:
    """What the synced store knows about one CRM record."""

    custom_fields: Mapping[str, Any]
    synced_at: datetime
    owner_id: str | None
    is_deleted: bool
    version: str | None = None  # the profile's version_field as last read (an ETag)


def default_api_name(kind: str, field: str) -> str:
    """The API name a custom field gets when crmsync creates it (before it was looked up)."""
    return profile_of(kind).custom_field_name(field)


def index_published(
    values: Mapping[tuple[str, str, str, str], str | None],
) -> dict[tuple[str, str, str], dict[str, str | None]]:
    """Published values grouped by (source, object, key), for one lookup per target."""
    index: dict[tuple[str, str, str], dict[str, str | None]] = {}
    for (source, obj, rid, key), value in values.items():
        index.setdefault((source, obj, key), {})[rid] = value
    return index


def load_store_records(
    conn: Connection, source: str, obj: str, version_field: tuple[str, ...] = ()
) -> dict[str, StoreRecord]:
    """The store's rows of ``obj`` for ``source``, by remote id; with ``version_field``
    (a path in the raw payload), each row's version too."""
    table = table_of(TABLES[STREAM_RECORD_TYPES[obj]])
    owner = table.c.owner_id if "owner_id" in table.c else None
    columns = [table.c.remote_id, table.c.custom_fields, table.c.synced_at, table.c.is_deleted]
    columns.append(owner if owner is not None else table.c.remote_id)
    if version_field:
        columns.append(table.c.raw)
    out = {}
    for row in conn.execute(select(*columns).where(table.c.source == source)):
        out[row[0]] = StoreRecord(
            custom_fields=row[1] or {},
            synced_at=row[2],
            owner_id=row[4] if owner is not None else None,
            is_deleted=bool(row[3]),
            version=_at(row[5], version_field) if version_field else None,
        )
    return out


def _at(raw: Any, path: tuple[str, ...]) -> str | None:
    for key in path:
        raw = raw.get(key) if isinstance(raw, dict) else None
    return raw if isinstance(raw, str) and raw else None


def desired_for(
    target: PushTarget,
    published: Published,
    records: Mapping[str, StoreRecord],
    written_ids: set[str],
) -> dict[str, str | None]:
    """Record id -> wanted value (canonical text, ``None`` empties) for one target.

    Deleted records are left out; records only in ``written_ids`` (crmsync wrote them
    before, nothing is published now) get ``None`` when the target clears missing values.
    """
    wanted: dict[str, str | None] = {}
    if target.via == "owned_records":
        by_owner = published.get((target.source, "users", target.key), {})
        for rid, owned in records.items():
            if not owned.is_deleted and owned.owner_id is not None and owned.owner_id in by_owner:
                wanted[rid] = by_owner[owned.owner_id]
    else:
        for rid, value in published.get((target.source, target.object, target.key), {}).items():
            record = records.get(rid)
            if record is None or not record.is_deleted:
                wanted[rid] = value
    if target.clear_when_missing:
        for rid in written_ids - wanted.keys():
            record = records.get(rid)
            if record is None or not record.is_deleted:
                wanted[rid] = None
    return dict(sorted(wanted.items()))
