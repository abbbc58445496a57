"""The live records of a store table as plain dict rows, read the one way the stages read
them: whole (the audit's and compute's snapshots, ``live_rows``) or streamed by change
number and by key (reconciliation's entities, ``changed_rows``).

Rows come in (source, remote_id) order and only live (``is_deleted`` false), except users:
they are read deleted or not, with ``is_deleted`` as their last key, since someone who left
(an archived HubSpot owner) still did the acts on old records. A row is a dict of the
columns asked for: several times cheaper to build from one ``fetchall`` of plain tuples
than SQLAlchemy row mappings are to read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from sync.store.chunks import chunks
from sync.store.records import TABLES
from sync.store.table_model import table_of

__all__ = ["Row", "changed_rows", "column_names", "live_rows", "live_tuples", "store_table"]

Row = dict[str, Any]

_BY_NAME: dict[str, Table] = {table.name: table for table in map(table_of, TABLES.values())}


def store_table(name: str) -> Table:
    """The record table called ``name`` (``contacts``, ``deal_contacts``...)."""
    return _BY_NAME[name]


def column_names(table: str, skip: Collection[str] = ()) -> list[str]:
    """The columns of record table ``table`` but ``skip``, in the table's order."""
    return [c.name for c in store_table(table).columns if c.name not in skip]


def live_rows(connection: Connection, table: str, columns: Sequence[str]) -> list[Row]:
    """The live rows of record table ``table`` with ``columns``, in that order (users with
    ``is_deleted`` after them; see the module)."""
    names, rows = live_tuples(connection, table, columns)
    return [dict(zip(names, row, strict=True)) for row in rows]


def live_tuples(
    connection: Connection, table: str, columns: Sequence[str]
) -> tuple[tuple[str, ...], list[Any]]:
    """``live_rows`` as the column names and one row (a tuple) per record (users: every row,
    ``is_deleted`` the last column)."""
    found = store_table(table)
    selected = [found.c[name] for name in columns if name != "is_deleted" or table != "users"]
    query = select(*selected).order_by(found.c.source, found.c.remote_id)
    if table == "users":
        selected.append(found.c.is_deleted)
        query = query.add_columns(found.c.is_deleted)
    else:
        query = query.where(found.c.is_deleted.is_(False))
    names = tuple(c.name for c in selected)
    return names, list(connection.execute(query).all())


def changed_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    since: int | None = None,
    until: int | None = None,
    ids: Mapping[str, Collection[str]] | None = None,
) -> Iterator[Row]:
    """The live rows of record table ``table`` (users too: only live ones) with ``columns``,
    streamed in the order they were first stored: those written after change number
    ``since`` and up to ``until`` (``sync.store.changes``), and with ``ids`` only those
    remote ids of each source (read ``IN_LIST`` at a time)."""
    found = store_table(table)
    query = select(*[found.c[name] for name in columns]).where(found.c.is_deleted.is_(False))
    if since is not None:
        query = query.where(found.c.change_seq > since)
    if until is not None:
        query = query.where(found.c.change_seq <= until)
    queries = [query]
    if ids is not None:
        queries = [
            query.where(found.c.source == source, found.c.remote_id.in_(chunk))
            for source, wanted in sorted(ids.items())
            for chunk in chunks(sorted(wanted))
        ]
    names = list(columns)
    for each in queries:
        for row in connection.execute(each.order_by(found.c.id)):
            yield dict(zip(names, row, strict=True))
