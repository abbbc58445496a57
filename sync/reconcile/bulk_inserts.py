"""Millions of result rows inserted beside the Python work that makes them.

Each row's values go through their column type's own bind processing (JSON, UTC
datetimes), then to the database in batches, bypassing SQLAlchemy's per-row parameter
handling, which for millions of rows cost more than the insert.

On SQLite a batch goes as one JSON array that the database expands itself
(``INSERT ... SELECT ... FROM json_each(?)``), run by a thread of its own: one statement
works without Python's interpreter lock for the whole batch, so the writing overlaps the
building of the next rows on the other core. The driver's ``executemany`` takes the lock
back for every row, and in a thread it waited for the other thread's turn row by row (2 M
key rows beside 1.3 s of Python: 3.5 s either way with ``executemany``, 2.0 s through
``json_each``). Values cross as JSON exactly: text, integers, NULL, and floats (a million
random floats read back bit-equal).

Elsewhere (PostgreSQL, or a SQLite database in memory) the batches go through the
driver's ``executemany`` in the caller's thread.
"""

from __future__ import annotations

import queue
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection

from sync.reconcile.beside import Beside, threads_may_share

__all__ = ["Inserter", "inserting"]

_BATCH = 5_000
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_QUEUED = 4  # batches waiting for the writer at most: memory stays bounded
_DONE = object()


class Inserter:
    """Inserts rows into tables of one connection, in a thread on SQLite.

    While the inserter is open the connection is its own: the caller only computes
    rows, and uses the connection again after ``finish``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._queue: queue.Queue[Any] | None = None
        self._writer: Beside | None = None
        self._failed = False  # set by the writer: no more batches are made
        if connection.dialect.name == "sqlite" and threads_may_share(connection):
            self._queue = queue.Queue(maxsize=_QUEUED)
            self._writer = Beside(self._write, "reconcile-inserts")

    def insert(self, table: Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows as tuples of ``columns``, built lazily and written in batches."""
        processors = _processors(self._connection, table, columns)
        if self._queue is None:
            _executemany(self._connection, table, columns, processors, rows)
            return
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"SELECT {', '.join(f'value ->> {n}' for n in range(len(columns)))} "
            "FROM json_each(?)"
        )
        for batch in _batches(rows):
            if processors:
                batch = [_processed(row, processors) for row in batch]
            if self._failed:
                break  # raised by ``finish``
            self._queue.put((sql, (orjson.dumps(batch),)))

    def insert_each(
        self, table: Any, columns: tuple[str, str], prefix: str, owners: list[tuple[str, list[str]]]
    ) -> None:
        """A row ``(prefix + text, owner)`` of ``columns`` for each text of each ``(owner,
        texts)``, in order: a record's block keys. On SQLite the database makes the rows
        from the lists (eight million at 1 M people), not Python."""
        if self._queue is None:
            rows = [(prefix + text, owner) for owner, texts in owners for text in texts]
            self.insert(table, columns, rows)
            return
        assert not _processors(self._connection, table, columns)  # texts go in as they are
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            "SELECT ? || text.value, owner.value ->> 0 "
            "FROM json_each(?) AS owner CROSS JOIN json_each(owner.value -> 1) AS text"
        )
        if owners and not self._failed:
            self._queue.put((sql, (prefix, orjson.dumps(owners))))

    def finish(self) -> None:
        """Every row written; a failure of the writer is raised here."""
        if self._writer is not None and self._queue is not None:
            self._queue.put(_DONE)
            writer, self._writer = self._writer, None
            writer.join()

    def abandon(self) -> None:
        """Let the writer end (the caller failed; its transaction is rolled back next)."""
        if self._writer is not None and self._queue is not None:
            self._queue.put(_DONE)
            writer, self._writer = self._writer, None
            writer.abandon()

    def _write(self) -> None:
        assert self._queue is not None
        cursor = self._connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        first: BaseException | None = None
        try:
            while (item := self._queue.get()) is not _DONE:
                if first is None:  # after a failure the batches are only drained
                    try:
                        cursor.execute(*item)
                    except BaseException as failure:
                        first, self._failed = failure, True
        finally:
            cursor.close()
        if first is not None:
            raise first


@contextmanager
def inserting(connection: Connection) -> Iterator[Inserter]:
    """An inserter for the body, finished (every row written) at its end."""
    inserter = Inserter(connection)
    try:
        yield inserter
    except BaseException:
        inserter.abandon()
        raise
    inserter.finish()


def _processors(connection: Connection, table: Any, columns: Sequence[str]) -> list[Any]:
    dialect = connection.dialect
    return [
        (n, found)
        for n, name in enumerate(columns)
        if (found := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]


def _executemany(
    connection: Connection,
    table: Any,
    columns: Sequence[str],
    processors: list[Any],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    mark = _MARKS.get(connection.dialect.paramstyle)
    if mark is None:  # a driver with named parameters: SQLAlchemy's own path
        for batch in _batches(dict(zip(columns, row, strict=True)) for row in rows):
            connection.execute(table.insert(), batch)
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    for batch in _batches(rows):
        if processors:
            batch = [_processed(row, processors) for row in batch]
        connection.exec_driver_sql(sql, batch)


def _processed(row: tuple[Any, ...], processors: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for n, process in processors:
        values[n] = process(values[n])
    return tuple(values)


def _batches(rows: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
