"""The block keys' indexes during a full run: dropped while the keys are written in bulk,
built again once they all are, beside the scoring that follows.

A million people's eight million keys inserted into two text indexes took most of a run's
writing (at 2.5 M rows, 159 s against 16 s built afterwards, on SQLite). Built afterwards,
the two indexes still took 15 s of a 180 s run at 1 M; the database does that work in C,
without Python's interpreter lock, so it runs in a thread while the run scores the people
in Python on the other core. Only reconcile reads the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from sync.reconcile.beside import Beside, page_cache, threads_may_share
from sync.store.identities import ReconcileKeyRow
from sync.store.table_model import table_of

__all__ = ["KeyIndexes", "keys_unindexed"]

_KEYS = table_of(ReconcileKeyRow)
# SQLite's page cache while it sorts the keys into an index: its sorter sorts runs of the
# cache's size, and small runs merged were faster than large ones (8.5 M keys: 10.1 s with
# 8 MB against 14.6 s with the store's 256 MB), and hold less memory beside the scoring.
_SORT_CACHE = -8_192


class KeyIndexes:
    """Builds the dropped indexes of the block keys, at once or in a background thread.

    While a build runs in the background the connection is the thread's: the caller must
    not use it until ``join`` returns (the run only computes in memory meanwhile)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._indexes = sorted(_KEYS.indexes, key=lambda index: str(index.name))
        self._builder: Beside | None = None
        self._built = False

    def drop(self) -> None:
        """Dropped inside the run's transaction, so a failed run has them back. Python's
        sqlite3 opens a transaction only before a row is written, never before DDL: a drop
        as the first statement would commit at once."""
        raw = self._connection.connection.dbapi_connection
        if self._connection.dialect.name == "sqlite" and not raw.in_transaction:  # type: ignore[union-attr]
            self._connection.exec_driver_sql("BEGIN")
        for index in self._indexes:
            index.drop(self._connection, checkfirst=True)

    def build_in_background(self) -> None:
        """Start building; every key must be written already. (Not where the connection
        may not be shared: ``finish`` builds them.)"""
        if self._builder is None and not self._built and threads_may_share(self._connection):
            self._builder = Beside(self._build, "key-indexes")

    def join(self) -> None:
        """Until a background build ends (nothing if none runs); its failure is raised here.
        The connection is the caller's again."""
        builder, self._builder = self._builder, None
        if builder is not None:
            builder.join()

    def finish(self) -> None:
        """The indexes built: the background build joined, or the build done here."""
        self.join()
        if not self._built:
            self._build()

    def abandon(self) -> None:
        """Let a background build end (the run failed; its transaction is rolled back next,
        which must not happen mid-build)."""
        builder, self._builder = self._builder, None
        if builder is not None:
            builder.abandon()

    def _build(self) -> None:
        self._built = True
        with page_cache(self._connection, _SORT_CACHE):
            for index in self._indexes:
                index.create(self._connection)


@contextmanager
def keys_unindexed(connection: Connection) -> Iterator[KeyIndexes]:
    """The block keys' indexes dropped for the body; built again by its end, in the same
    transaction (started early with ``build_in_background``)."""
    indexes = KeyIndexes(connection)
    indexes.drop()
    try:
        yield indexes
    except BaseException:
        indexes.abandon()
        raise
    indexes.finish()
