"""Write one page of a stream, and the cursor that covers it, in one transaction.

Rows are classified against what the store holds: new rows are inserted, rows whose
content hash changed are updated, identical rows cost no write. Upserts are keyed on
(source, remote_id), so replaying a page after a crash changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from connectors.core.contract import Page, Quarantined
from connectors.core.records import CommonRecord
from sync.store.bookkeeping import QuarantineRow, StreamStateRow
from sync.store.records import TABLES

__all__ = ["PageCounts", "mark_deleted", "write_page"]

_RENAMED = {"deleted": "is_deleted", "deleted_at": "remote_deleted_at"}
_CHUNK = 500  # ids per IN (...) clause: well under SQLite's variable limit


@dataclass
class PageCounts:
    """What one page (or a whole stream) did to the store.

    ``deleted`` counts live rows this run marked deleted, split by why: the CRM reported
    them deleted or archived, they were merged into another record, or a full read or id
    list no longer had them. ``restored`` counts deleted rows the CRM has live again.
    """

    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    restored: int = 0
    quarantined: int = 0
    deleted_reported: int = 0
    deleted_merged: int = 0
    deleted_missing: int = 0

    def add(self, other: PageCounts) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def write_page(
    conn: Connection,
    source: str,
    page: Page,
    record_kind: str,
    run_id: int | None,
    now: datetime,
    save_state: bool = True,
) -> dict[str, PageCounts]:
    """Apply ``page`` to the store inside the caller's transaction; counts per record kind.

    ``record_kind`` is the stream's record type: ``page.deleted_ids`` are remote ids of
    that type. A page may also carry records of other kinds (a deals page with its
    deal-contact roles); each goes to its own table and is counted under its own kind.
    """
    per_kind: dict[str, PageCounts] = defaultdict(PageCounts)
    counts = per_kind[record_kind]
    by_kind: dict[str, dict[str, CommonRecord]] = defaultdict(dict)
    for record in page.records:
        per_kind[record.kind].fetched += 1
        by_kind[record.kind][record.remote_id] = record  # a later copy of an id wins
    # ids the page's own records name as merged away: their deletes are merges
    merged = {m for r in page.records if not r.deleted for m in getattr(r, "merged_ids", ())}
    for kind, records in by_kind.items():
        table = TABLES[kind].__table__  # type: ignore[attr-defined]
        _upsert(conn, table, source, list(records.values()), run_id, now, per_kind[kind])
    if page.deleted_ids:
        table = TABLES[record_kind].__table__  # type: ignore[attr-defined]
        ids = set(page.deleted_ids)
        counts.deleted_merged += mark_deleted(conn, table, source, ids & merged, run_id, now)
        counts.deleted_reported += mark_deleted(conn, table, source, ids - merged, run_id, now)
    for item in page.quarantined:
        _quarantine(conn, source, page.stream, item, run_id, now)
    counts.quarantined = len(page.quarantined)
    for kind_counts in per_kind.values():
        kind_counts.deleted = (
            kind_counts.deleted_reported + kind_counts.deleted_merged + kind_counts.deleted_missing
        )
    if save_state:
        save_stream_state(conn, source, page.stream, page.state, run_id, now)
    return dict(per_kind)


def row_values(record: CommonRecord) -> dict[str, Any]:
    values = {}
    for f in dataclasses.fields(record):
        values[_RENAMED.get(f.name, f.name)] = getattr(record, f.name)
    return values


def content_hash(values: dict[str, Any]) -> str:
    payload = orjson.dumps(values, default=_default, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def _upsert(
    conn: Connection,
    table: Table,
    source: str,
    records: Sequence[CommonRecord],
    run_id: int | None,
    now: datetime,
    counts: PageCounts,
) -> None:
    rows = []
    for record in records:
        values = row_values(record)
        values["source"] = source
        values["content_hash"] = content_hash(values)
        rows.append(values)
    existing = _existing_rows(conn, table, source, [r["remote_id"] for r in rows])
    changed = []
    for row in rows:
        old = existing.get(row["remote_id"])
        if not _classify(row, old, counts, run_id, now):
            continue
        row.update(first_seen_at=now, synced_at=now, last_run_id=run_id)
        changed.append(row)
    if changed:
        _bulk_upsert(conn, table, changed)


def _classify(
    row: dict[str, Any], old: Any, counts: PageCounts, run_id: int | None, now: datetime
) -> bool:
    """Count ``row`` against the stored ``old`` one; True when it must be written.

    The deleted flag is compared on its own: a row marked deleted by an update keeps the
    hash of its live content, so a record coming back unchanged is still a restore.
    Every written row carries its deletion columns, so one statement sets them for all.
    """
    was_deleted = old is not None and bool(old.is_deleted)
    if old is not None and old.content_hash == row["content_hash"] and not was_deleted:
        counts.unchanged += 1
        return False
    if old is not None and was_deleted and row["is_deleted"]:
        if old.content_hash == row["content_hash"]:
            counts.unchanged += 1
            return False
        counts.updated += 1  # still deleted: keep when and by which run it was marked
        row["deleted_detected_at"] = old.deleted_detected_at
        row["deleted_by_run_id"] = old.deleted_by_run_id
        return True
    if old is None:
        counts.inserted += 1
    elif was_deleted:
        counts.restored += 1
    elif row["is_deleted"] and row.get("merged_into_id"):
        counts.deleted_merged += 1
    elif row["is_deleted"]:
        counts.deleted_reported += 1
    else:
        counts.updated += 1
    deleted = bool(row["is_deleted"])
    row["deleted_detected_at"] = now if deleted else None
    row["deleted_by_run_id"] = run_id if deleted else None
    return True


def _existing_rows(
    conn: Connection, table: Table, source: str, remote_ids: list[str]
) -> dict[str, Any]:
    """Stored hash and deletion state of the given ids."""
    found: dict[str, Any] = {}
    for start in range(0, len(remote_ids), _CHUNK):
        chunk = remote_ids[start : start + _CHUNK]
        query = select(
            table.c.remote_id,
            table.c.content_hash,
            table.c.is_deleted,
            table.c.deleted_detected_at,
            table.c.deleted_by_run_id,
        ).where(table.c.source == source, table.c.remote_id.in_(chunk))
        found.update({row.remote_id: row for row in conn.execute(query)})
    return found


def _bulk_upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = [c for c in rows[0] if c in table.c]
    statement = insert(table)
    keep = {"id", "source", "remote_id", "first_seen_at"}
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.source, table.c.remote_id],
        set_={c: statement.excluded[c] for c in columns if c not in keep},
    )
    conn.execute(statement, [{c: row.get(c) for c in columns} for row in rows])


def mark_deleted(
    conn: Connection,
    table: Table,
    source: str,
    remote_ids: Iterable[str],
    run_id: int | None,
    now: datetime,
) -> int:
    """Mark the live rows among ``remote_ids`` deleted by this run; how many were live."""
    ids = sorted(remote_ids)
    total = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        result = conn.execute(
            update(table)
            .where(
                table.c.source == source,
                table.c.remote_id.in_(chunk),
                table.c.is_deleted.is_(False),
            )
            .values(
                is_deleted=True,
                deleted_detected_at=now,
                deleted_by_run_id=run_id,
                synced_at=now,
                last_run_id=run_id,
            )
        )
        total += result.rowcount or 0
    return total


def _quarantine(
    conn: Connection, source: str, stream: str, item: Quarantined, run_id: int | None, now: datetime
) -> None:
    key = (
        item.remote_id
        or hashlib.blake2b(
            orjson.dumps(item.raw, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).hexdigest()
    )
    table = QuarantineRow.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(
        source=source,
        stream=stream,
        record_key=key,
        remote_id=item.remote_id,
        reason=item.reason,
        raw=item.raw,
        run_id=run_id,
        first_seen_at=now,
        last_seen_at=now,
        resolved=False,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.source, table.c.stream, table.c.record_key],
            set_={
                "reason": item.reason,
                "raw": item.raw,
                "run_id": run_id,
                "last_seen_at": now,
                "resolved": False,
            },
        )
    )


def save_stream_state(
    conn: Connection,
    source: str,
    stream: str,
    state: dict[str, Any],
    run_id: int | None,
    now: datetime,
) -> None:
    table = StreamStateRow.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(
        source=source, stream=stream, state=state, updated_at=now, run_id=run_id
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.source, table.c.stream],
            set_={"state": state, "updated_at": now, "run_id": run_id},
        )
    )
