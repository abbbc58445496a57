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
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection
from sqlalchemy.pool import SingletonThreadPool

__all__ = ["Inserter", "inserting", "threads_may_share"]

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
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        if connection.dialect.name == "sqlite" and threads_may_share(connection):
            self._queue = queue.Queue(maxsize=_QUEUED)
            self._thread = threading.Thread(target=self._write, name="reconcile-inserts")
            self._thread.start()

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
            if self._failure is not None:
                break  # raised by ``finish``
            self._queue.put((sql, orjson.dumps(batch)))

    def finish(self) -> None:
        """Every row written; a failure of the writer is raised here."""
        self._stop()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def abandon(self) -> None:
        """Let the writer end (the caller failed; its transaction is rolled back next)."""
        self._stop()
        self._failure = None

    def _stop(self) -> None:
        if self._thread is not None and self._queue is not None:
            self._queue.put(_DONE)
            self._thread.join()
            self._thread = None

    def _write(self) -> None:
        assert self._queue is not None
        cursor = self._connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            while (item := self._queue.get()) is not _DONE:
                if self._failure is None:  # after a failure the batches are only drained
                    try:
                        cursor.execute(item[0], (item[1],))
                    except BaseException as failure:  # raised in the caller's thread
                        self._failure = failure
        finally:
            cursor.close()


def threads_may_share(connection: Connection) -> bool:
    """Whether another thread may use this connection while its own waits. A SQLite
    database in memory is one connection per thread (SQLAlchemy's ``SingletonThreadPool``,
    its driver refusing other threads): there everything stays in the caller's thread."""
    return not isinstance(connection.engine.pool, SingletonThreadPool)


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
