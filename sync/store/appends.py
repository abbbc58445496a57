"""Append-only writes: records that are facts, stored once and never changed (digital events).

A digital event's ``messageId`` is what it is: a message delivered twice, an export read
twice or a batch retried is the same message. So the first copy stored is kept, and a
later copy costs one probe of the unique index (``INSERT ... ON CONFLICT DO NOTHING``):
no read of the stored rows, no comparison of content hashes, no update. That is what makes
a million events an ingest of seconds rather than minutes. The content hash of such a row
is the hash of its raw message, the one value every other column is read from.

Rows are written sorted by remote id: message ids are random, and inserting a page in
key order walks the unique index once instead of jumping around it per row. Values the
store would refuse are found as for other records (``sync.store.refusals``) and
quarantined; the rest of the page is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from hashlib import blake2b
from operator import attrgetter
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Table

from compensation.gcpause import paused_gc
from connectors.core.contract import Quarantined
from connectors.core.records import CommonRecord
from sync.store.refusals import is_refusal, refusal, refusal_reason
from sync.store.types import UtcDateTime

__all__ = ["APPEND_ONLY_KINDS", "append_records", "dialect_insert"]

APPEND_ONLY_KINDS = frozenset({"event"})
_RENAMED = {"is_deleted": "deleted", "remote_deleted_at": "deleted_at"}
# bookkeeping columns the writer sets: every other column is the record's field of its name
_BOOKKEEPING = (
    "content_hash",
    "first_seen_at",
    "synced_at",
    "last_run_id",
    "change_seq",
    "deleted_detected_at",
    "deleted_by_run_id",
)


def append_records(
    conn: Connection,
    table: Table,
    source: str,
    records: Sequence[CommonRecord],
    run_id: int | None,
    now: datetime,
    change: int,
) -> tuple[int, int, list[Quarantined]]:
    """Insert the records whose remote id the store does not hold yet (the first copy of an
    id in ``records`` wins); return how many were inserted, how many it held already, and
    the refused ones."""
    plan = _plan(conn, table)
    stamp: Any = sqlite_time(now) if plan.sqlite else now  # one text for the whole page
    rows: list[tuple[Any, ...]] = []
    refused: list[Quarantined] = []
    last = None
    dumps, too_long, build = orjson.dumps, plan.too_long, plan.build
    with paused_gc():  # a page of rows: small acyclic objects the collector would rescan
        for record in sorted(records, key=_REMOTE_ID):  # stable: the first copy stays first
            if record.remote_id == last:
                continue  # a later copy in the same page: one record, counted once
            last, raw = record.remote_id, record.raw
            try:
                payload: bytes | None = dumps(raw)
            except TypeError:  # a lone surrogate or an integer beyond 64 bits
                payload = None
            if payload is None or b"\\u0000" in payload or too_long(record):
                problem = refusal(table, _values(plan, record, source), payload)
                if problem is not None or payload is None:
                    reason = f"record cannot be stored: {problem or 'a value cannot be serialised'}"
                    refused.append(Quarantined(record.remote_id, reason, raw))
                    continue
            rows.append(build(record, payload, source, stamp, run_id, change))
    inserted, failed = _insert_or_refuse(conn, plan, rows)
    return inserted, len(rows) - inserted - len(failed), refused + failed


_REMOTE_ID = attrgetter("remote_id")


class _Plan:
    """How one table's rows are written on one dialect: the columns (the record's fields,
    then the bookkeeping ones) and the statement. On SQLite each row is one tuple of the
    values the driver takes as they are (times as SQLAlchemy writes them, JSON as text):
    SQLAlchemy's own per-row parameter handling cost more than the insert itself."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        names = [c.name for c in table.c if c.name not in ("id", "source", *_BOOKKEEPING)]
        self.fields = tuple(_RENAMED.get(c, c) for c in names)
        self.columns = (*names, "source", *_BOOKKEEPING)
        self.getter = attrgetter(*self.fields)
        limited: dict[int, list[str]] = {}  # length limit -> the fields it applies to
        for f, c in zip(self.fields, names, strict=True):
            length = getattr(table.c[c].type, "length", None)
            if isinstance(length, int):
                limited.setdefault(length, []).append(f)
        self.limited = tuple((attrgetter(*at), len(at) == 1, n) for n, at in limited.items())
        statement = dialect_insert(conn)(table).on_conflict_do_nothing(
            index_elements=[table.c.source, table.c.remote_id]
        )
        self.statement = statement
        self.times = tuple(
            i for i, c in enumerate(names) if isinstance(table.c[c].type, UtcDateTime)
        )
        self.raw = names.index("raw")
        self.custom = names.index("custom_fields")
        self.deleted = names.index("is_deleted")
        self.build: Callable[..., tuple[Any, ...]] = self._generic_row
        if self.sqlite:
            self.build = _sqlite_row(self.fields, self.times, self.raw, self.custom, self.deleted)
        marks = ", ".join("?" * len(self.columns))
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({marks}) "
            "ON CONFLICT (source, remote_id) DO NOTHING"
        )

    def too_long(self, record: CommonRecord) -> bool:
        """Whether a text among the record's fields is over its column's length."""
        for get, single, limit in self.limited:
            found = get(record)
            for value in (found,) if single else found:
                if type(value) is str and len(value) > limit:
                    return True
        return False

    def _generic_row(
        self,
        record: CommonRecord,
        payload: bytes,
        source: str,
        stamp: Any,
        run_id: int | None,
        change: int,
    ) -> tuple[Any, ...]:
        """The row of ``record`` as SQLAlchemy takes it (PostgreSQL): the fields as they
        are, ``raw`` as the document; ``stamp`` is the write's time."""
        values = self.getter(record)
        digest = blake2b(payload, digest_size=16).hexdigest()
        if values[self.deleted]:
            return (*values, source, digest, stamp, stamp, run_id, change, stamp, run_id)
        return (*values, source, digest, stamp, stamp, run_id, change, None, None)


def _sqlite_row(
    fields: tuple[str, ...], times: tuple[int, ...], raw: int, custom: int, deleted: int
) -> Callable[..., tuple[Any, ...]]:
    """The function that makes the SQLite row of a record: one tuple of what the driver
    takes as it is (times as SQLAlchemy's SQLite ``DateTime`` writes them, JSON as text),
    in the plan's column order, with the bookkeeping values last. It is written out for
    the table's fields (the way ``dataclasses`` writes ``__init__``): a list of the
    fields changed in place cost a third of a million events' row building. A time that
    is the same object as an earlier one (an event's created, updated and occurred times)
    is converted once."""
    lines = []
    for n, i in enumerate(times):
        earlier = "".join(f"v{m} if t{m} is t{n} else " for m in range(n))
        lines.append(f"    t{n} = r.{fields[i]}")
        lines.append(f"    v{n} = None if t{n} is None else {earlier}conv(t{n})")
    values = []
    for i, name in enumerate(fields):
        if i == raw:
            values.append("payload.decode()")  # already JSON: the text the store keeps
        elif i == custom:
            values.append(f'(dumps(r.{name}).decode() if r.{name} else "{{}}")')
        elif i == deleted:
            values.append("int(deleted)")
        elif i in times:
            values.append(f"v{times.index(i)}")
        else:
            values.append(f"r.{name}")
    source = "\n".join(
        [
            "def row(r, payload, source, stamp, run_id, change):",
            f"    deleted = bool(r.{fields[deleted]})",
            *lines,
            f"    return ({', '.join(values)}, source, "
            "blake2b(payload, digest_size=16).hexdigest(), stamp, stamp, run_id, change, "
            "stamp if deleted else None, run_id if deleted else None)",
        ]
    )
    scope: dict[str, Any] = {"conv": sqlite_time, "dumps": orjson.dumps, "blake2b": blake2b}
    exec(source, scope)  # the table's own field names: nothing from outside
    return cast("Callable[..., tuple[Any, ...]]", scope["row"])


def sqlite_time(value: datetime) -> str:
    """A time as SQLAlchemy's SQLite ``DateTime`` stores a ``UtcDateTime``: UTC, without
    its zone, always with microseconds (the text sorts as the time does)."""
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff+00:00" less its zone: one call instead of two
    return value.isoformat(" ", "microseconds")[:26]


def _values(plan: _Plan, record: CommonRecord, source: str) -> dict[str, Any]:
    """The record as the table's columns, for the checks of ``sync.store.refusals``."""
    values = dict(zip(plan.columns[: len(plan.fields)], plan.getter(record), strict=True))
    values["source"] = source
    return values


def dialect_insert(conn: Connection) -> Any:
    """The store's dialect's ``insert`` (with ON CONFLICT), imported for the store in use:
    the PostgreSQL dialect costs ~50 ms of start-up that a SQLite store does without."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


_PLANS: dict[tuple[str, Table], _Plan] = {}


def _plan(conn: Connection, table: Table) -> _Plan:
    key = (conn.dialect.name, table)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _Plan(conn, table)
    return plan


def _insert_or_refuse(
    conn: Connection, plan: _Plan, rows: list[tuple[Any, ...]]
) -> tuple[int, list[Quarantined]]:
    """Write ``rows``; if the database refuses one, write them one by one, each in its own
    savepoint, and return the refused ones: the rest of the page still commits."""
    if not rows:
        return 0, []
    try:
        with conn.begin_nested():
            return _execute(conn, plan, rows), []
    except Exception as exc:
        if not is_refusal(exc):
            raise
    inserted, refused = 0, []
    remote_id = plan.columns.index("remote_id")
    raw = plan.columns.index("raw")
    for row in rows:
        try:
            with conn.begin_nested():
                inserted += _execute(conn, plan, [row])
        except Exception as exc:
            if not is_refusal(exc):
                raise
            payload = row[raw]
            document = orjson.loads(payload) if isinstance(payload, str) else payload
            reason = f"record cannot be stored: {refusal_reason(exc)}"
            refused.append(Quarantined(row[remote_id], reason, document))
    return inserted, refused


def _execute(conn: Connection, plan: _Plan, rows: list[tuple[Any, ...]]) -> int:
    if plan.sqlite:
        result = conn.exec_driver_sql(plan.sql, rows)
        return max(result.rowcount, 0)
    dicts = [dict(zip(plan.columns, row, strict=True)) for row in rows]
    returned = conn.execute(plan.statement.returning(plan.statement.table.c.remote_id), dicts)
    return len(returned.all())
