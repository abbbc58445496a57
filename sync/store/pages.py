"""Write one page of a stream, and the cursor that covers it, in one transaction.

Rows are classified against what the store holds: new rows are inserted, rows whose
content hash changed are updated, identical rows cost no write. Upserts are keyed on
(source, remote_id), so replaying a page after a crash changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, select, update

from connectors.core.contract import Page, Quarantined
from connectors.core.records import CommonRecord
from sync.store.appends import APPEND_ONLY_KINDS, append_records
from sync.store.appends import dialect_insert as _insert
from sync.store.changes import next_change
from sync.store.core_tables import QUARANTINE, RECORD_TABLES, SYNC_STATE
from sync.store.refusals import is_refusal, refusal, refusal_reason, storable
from sync.store.upserts import bulk_upsert

__all__ = ["PageCounts", "mark_deleted", "write_page"]

_RENAMED = {"deleted": "is_deleted", "deleted_at": "remote_deleted_at"}
_CHUNK = 500  # ids per IN (...) clause: well under SQLite's variable limit
_KEY_LENGTH = 64  # quarantine.record_key and remote_id


@dataclass
class PageCounts:
    """What one page (or a whole stream) did to the store.

    ``deleted`` counts live rows this run marked deleted, split by why: the CRM reported
    them deleted or archived, they were merged into another record, or a full read or id
    list no longer had them. ``restored`` counts deleted rows the CRM has live again.
    ``kept_live`` counts the records read that the store held live and still holds live
    (updated or not): so many live rows exist, which the delete guard takes as a lower
    bound before counting a table; it is not reported.
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
    kept_live: int = 0

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
    # First write of the transaction: holds the change counter until the page commits.
    # A page with no records and no deletes (a delta read that found nothing) numbers
    # no row: it saves its state alone.
    change = next_change(conn) if page.records or page.deleted_ids else 0
    by_kind: dict[str, dict[str, CommonRecord]] = defaultdict(dict)
    facts: dict[str, list[CommonRecord]] = defaultdict(list)  # append-only kinds
    for record in page.records:
        per_kind[record.kind].fetched += 1
        if record.kind in APPEND_ONLY_KINDS:
            facts[record.kind].append(record)  # the first copy of an id wins
        else:
            by_kind[record.kind][record.remote_id] = record  # a later copy of an id wins
    # ids the page's own records name as merged away: their deletes are merges
    merged = {m for r in page.records if not r.deleted for m in getattr(r, "merged_ids", ())}
    refused: list[Quarantined] = []
    for kind, records in by_kind.items():
        table = RECORD_TABLES[kind]
        batch = list(records.values())
        refused += _upsert(conn, table, source, batch, run_id, now, change, per_kind[kind])
    for kind, batch in facts.items():
        table = RECORD_TABLES[kind]
        inserted, held, failed = append_records(conn, table, source, batch, run_id, now, change)
        per_kind[kind].inserted += inserted
        per_kind[kind].unchanged += held
        refused += failed
    if page.deleted_ids:
        table = RECORD_TABLES[record_kind]
        ids = set(page.deleted_ids)
        counts.deleted_merged += mark_deleted(
            conn, table, source, ids & merged, run_id, now, change
        )
        counts.deleted_reported += mark_deleted(
            conn, table, source, ids - merged, run_id, now, change
        )
    for item in [*page.quarantined, *refused]:
        _quarantine(conn, source, page.stream, item, run_id, now)
    counts.quarantined = len(page.quarantined) + len(refused)
    for kind_counts in per_kind.values():
        kind_counts.deleted = (
            kind_counts.deleted_reported + kind_counts.deleted_merged + kind_counts.deleted_missing
        )
    if save_state:
        save_stream_state(conn, source, page.stream, page.state, run_id, now)
    return dict(per_kind)


def row_values(record: CommonRecord) -> dict[str, Any]:
    plan = _COLUMNS.get(type(record))
    if plan is None:  # a record type's columns and one getter of its fields, built once
        names = [f.name for f in dataclasses.fields(record)]  # fields() costs ~20 µs
        getter = attrgetter(*names)
        read = getter if len(names) > 1 else lambda r: (getter(r),)
        plan = _COLUMNS[type(record)] = (tuple(_RENAMED.get(n, n) for n in names), read)
    columns, read = plan
    return dict(zip(columns, read(record), strict=True))


_COLUMNS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def content_hash(values: dict[str, Any]) -> str:
    return _hash(_payload(values))


def _payload(values: dict[str, Any]) -> bytes:
    return orjson.dumps(values, default=_default, option=orjson.OPT_SORT_KEYS)


def _hash(payload: bytes) -> str:
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
    change: int,
    counts: PageCounts,
) -> list[Quarantined]:
    """Write the changed records; return those the store refuses (to quarantine)."""
    rows, refused = [], []
    for record in records:
        values = row_values(record)
        values["source"] = source
        try:
            payload: bytes | None = _payload(values)
        except TypeError:  # orjson: a lone surrogate or an integer beyond 64 bits
            payload = None
        problem = refusal(table, values, payload)
        if problem is not None or payload is None:
            reason = problem or "a value cannot be serialised"
            refused.append(_refused(record.remote_id, reason, record.raw))
            continue
        values["content_hash"] = _hash(payload)
        rows.append(values)
    existing = _existing_rows(conn, table, source, [r["remote_id"] for r in rows])
    changed, outcomes = [], []
    for row in rows:
        old = existing.get(row["remote_id"])
        if old is not None and not old.is_deleted and not row["is_deleted"]:
            counts.kept_live += 1
        outcome = _classify(row, old, run_id, now)
        if outcome == "unchanged":
            counts.unchanged += 1
            continue
        row.update(first_seen_at=now, synced_at=now, last_run_id=run_id, change_seq=change)
        changed.append(row)
        outcomes.append(outcome)
    failed = _write_or_refuse(conn, table, changed) if changed else []
    refused += failed
    failed_ids = {item.remote_id for item in failed}
    for row, outcome in zip(changed, outcomes, strict=True):
        if row["remote_id"] not in failed_ids:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    return refused


def _write_or_refuse(
    conn: Connection, table: Table, rows: list[dict[str, Any]]
) -> list[Quarantined]:
    """Upsert ``rows``; if the database refuses one, write them one by one, each in its own
    savepoint, and return the refused ones: the rest of the page still commits."""
    try:
        with conn.begin_nested():
            bulk_upsert(conn, table, rows)
        return []
    except Exception as exc:
        if not is_refusal(exc):
            raise
    refused = []
    for row in rows:
        try:
            with conn.begin_nested():
                bulk_upsert(conn, table, [row])
        except Exception as exc:
            if not is_refusal(exc):
                raise
            refused.append(_refused(row["remote_id"], refusal_reason(exc), row["raw"]))
    return refused


def _refused(remote_id: str, problem: str, raw: dict[str, Any]) -> Quarantined:
    return Quarantined(remote_id, f"record cannot be stored: {problem}", raw)


def _classify(row: dict[str, Any], old: Any, run_id: int | None, now: datetime) -> str:
    """What writing ``row`` over the stored ``old`` one does: the name of the count it adds to.

    The deleted flag is compared on its own: a row marked deleted by an update keeps the
    hash of its live content, so a record coming back unchanged is still a restore.
    Every written row carries its deletion columns, so one statement sets them for all.
    """
    was_deleted = old is not None and bool(old.is_deleted)
    if old is not None and old.content_hash == row["content_hash"] and not was_deleted:
        return "unchanged"
    if old is not None and was_deleted and row["is_deleted"]:
        if old.content_hash == row["content_hash"]:
            return "unchanged"
        row["deleted_detected_at"] = old.deleted_detected_at  # keep when and by which run
        row["deleted_by_run_id"] = old.deleted_by_run_id
        return "updated"
    if old is None:
        outcome = "inserted"
    elif was_deleted:
        outcome = "restored"
    elif row["is_deleted"] and row.get("merged_into_id"):
        outcome = "deleted_merged"
    elif row["is_deleted"]:
        outcome = "deleted_reported"
    else:
        outcome = "updated"
    deleted = bool(row["is_deleted"])
    row["deleted_detected_at"] = now if deleted else None
    row["deleted_by_run_id"] = run_id if deleted else None
    return outcome


def _existing_rows(
    conn: Connection, table: Table, source: str, remote_ids: list[str]
) -> dict[str, Any]:
    """Stored hash and deletion state of the given ids."""
    query = _EXISTING.get(table)
    if query is None:
        query = _EXISTING[table] = select(
            table.c.remote_id,
            table.c.content_hash,
            table.c.is_deleted,
            table.c.deleted_detected_at,
            table.c.deleted_by_run_id,
        ).where(
            table.c.source == bindparam("source"),
            table.c.remote_id.in_(bindparam("ids", expanding=True)),
        )
    found: dict[str, Any] = {}
    for start in range(0, len(remote_ids), _CHUNK):
        chunk = remote_ids[start : start + _CHUNK]
        rows = conn.execute(query, {"source": source, "ids": chunk}).all()  # not row by row
        found.update({row.remote_id: row for row in rows})
    return found


# The stored-rows query of each table, built once, as the upserts (sync.store.upserts) are.
_EXISTING: dict[Table, Any] = {}


def mark_deleted(
    conn: Connection,
    table: Table,
    source: str,
    remote_ids: Iterable[str],
    run_id: int | None,
    now: datetime,
    change: int,
) -> int:
    """Mark the live rows among ``remote_ids`` deleted by this run; how many were live."""
    ids = sorted(remote_ids)
    statement = _MARK.get(table)
    if statement is None:  # built once per table, as the stored-rows query
        when, run = table.c.synced_at.type, table.c.last_run_id.type
        statement = _MARK[table] = (
            update(table)
            .where(
                table.c.source == bindparam("p_source"),
                table.c.remote_id.in_(bindparam("p_ids", expanding=True)),
                table.c.is_deleted.is_(False),
            )
            .values(
                is_deleted=True,
                deleted_detected_at=bindparam("p_now", type_=when),
                deleted_by_run_id=bindparam("p_run", type_=run),
                synced_at=bindparam("p_now", type_=when),
                last_run_id=bindparam("p_run", type_=run),
                change_seq=bindparam("p_change", type_=table.c.change_seq.type),
            )
        )
    total = 0
    for start in range(0, len(ids), _CHUNK):
        values = {"p_source": source, "p_ids": ids[start : start + _CHUNK], "p_now": now}
        result = conn.execute(statement, values | {"p_run": run_id, "p_change": change})
        total += result.rowcount or 0
    return total


_MARK: dict[Table, Any] = {}


def _quarantine(
    conn: Connection, source: str, stream: str, item: Quarantined, run_id: int | None, now: datetime
) -> None:
    # The payload may hold the very value the store refused: keep it written out as text.
    raw = storable(item.raw)
    remote_id = storable(item.remote_id)
    if remote_id is not None and len(remote_id) > _KEY_LENGTH:
        remote_id = None  # an id the store cannot hold: the record is keyed by its payload
    key = (
        remote_id
        or hashlib.blake2b(
            orjson.dumps(raw, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).hexdigest()
    )
    table = QUARANTINE
    insert = _insert(conn)
    statement = insert(table).values(
        source=source,
        stream=stream,
        record_key=key,
        remote_id=remote_id,
        reason=storable(item.reason),
        raw=raw,
        run_id=run_id,
        first_seen_at=now,
        last_seen_at=now,
        resolved=False,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.source, table.c.stream, table.c.record_key],
            set_={
                "reason": storable(item.reason),
                "raw": raw,
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
    statement = _SAVE_STATE.get(conn.dialect.name)
    if statement is None:  # built once per dialect, like the upserts (~0.1 ms a page)
        table = SYNC_STATE
        insert = _insert(conn)(table).values(
            source=bindparam("p_source"),
            stream=bindparam("p_stream"),
            state=bindparam("p_state", type_=table.c.state.type),
            updated_at=bindparam("p_now", type_=table.c.updated_at.type),
            run_id=bindparam("p_run_id", type_=table.c.run_id.type),
        )
        statement = _SAVE_STATE[conn.dialect.name] = insert.on_conflict_do_update(
            index_elements=[table.c.source, table.c.stream],
            set_={c: insert.excluded[c] for c in ("state", "updated_at", "run_id")},
        )
    conn.execute(
        statement,
        {
            "p_source": source,
            "p_stream": stream,
            "p_state": state,
            "p_now": now,
            "p_run_id": run_id,
        },
    )


_SAVE_STATE: dict[str, Any] = {}
