"""The upsert of a page's changed records: ``INSERT ... ON CONFLICT (source, remote_id) DO
UPDATE``, one statement per table and column set, built and compiled once per process.

On SQLite the rows go to the driver as tuples (``_sqlite_upsert``); on PostgreSQL through
SQLAlchemy, whose batched VALUES lists are what makes the write fast there.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table

from sync.store.appends import dialect_insert as _insert
from sync.store.types import UtcDateTime

__all__ = ["bulk_upsert"]


def bulk_upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` of ``table``, or update the stored rows of their (source, remote id)."""
    columns = tuple(c for c in rows[0] if c in table.c)
    key = (conn.dialect.name, table, columns)
    statement = _UPSERTS.get(key)
    if statement is None:
        statement = _insert(conn)(table)
        keep = {"id", "source", "remote_id", "first_seen_at"}
        statement = _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=[table.c.source, table.c.remote_id],
            set_={c: statement.excluded[c] for c in columns if c not in keep},
        )
    if conn.dialect.name == "sqlite":
        _sqlite_upsert(conn, statement, key, columns, rows)
        return
    # The rows are the table's columns already (a record's fields and the bookkeeping ones):
    # copying each into a dict of its columns cost ~4 µs a record.
    whole = len(columns) == len(rows[0])
    conn.execute(statement, rows if whole else [{c: row.get(c) for c in columns} for row in rows])


def _sqlite_upsert(
    conn: Connection, statement: Any, key: Any, columns: tuple[str, ...], rows: list[dict]
) -> None:
    """The upsert as SQLite's driver takes it: the statement compiled once, each row a
    tuple of values passed through its column's bind processor (the same conversions
    SQLAlchemy applies), a time converted once per distinct value (a page's rows share
    their sync times, and an event its created, updated and occurred times). SQLAlchemy's
    own per-row parameter handling cost about a third of writing a wide record.

    The values are gathered a column at a time and zipped into rows: one C-level pass per
    column instead of a Python loop over every value of every row (~15 µs a wide record).
    """
    plan = _SQLITE_PLANS.get(key)
    if plan is None:
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(columns))
        processors = getattr(compiled, "_bind_processors", {})
        table = statement.table
        order = tuple(
            (
                name,
                itemgetter(name),
                processors.get(name),
                isinstance(table.c[name].type, UtcDateTime),
            )
            for name in compiled.positiontup or ()
        )
        plan = _SQLITE_PLANS[key] = (str(compiled), order)
    sql, order = plan
    memo: dict[Any, Any] = {None: None}
    values: list[list[Any]] = []
    for name, get, convert, is_time in order:
        try:
            column = list(map(get, rows))
        except KeyError:  # a row without this column: NULL, as SQLAlchemy binds it
            column = [row.get(name) for row in rows]
        if convert is not None:
            if not is_time:
                column = list(map(convert, column))
            else:
                for value in set(column).difference(memo):
                    memo[value] = convert(value)
                column = list(map(memo.__getitem__, column))
        values.append(column)
    conn.exec_driver_sql(sql, list(zip(*values, strict=True)))


# The statements of the pull path, built once per table (and dialect and column set):
# building one per page made a Column for every column of ``excluded`` and a new cache
# key each time, 8% of a sync's CPU. SQLAlchemy statements are immutable, so sharing is safe.
_UPSERTS: dict[tuple[str, Table, tuple[str, ...]], Any] = {}
_SQLITE_PLANS: dict[Any, tuple[str, tuple[tuple[str, Any, Any, bool], ...]]] = {}
