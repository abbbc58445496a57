"""Work run in a thread of its own beside the run's Python work, its failure kept for the
run's thread; and SQLite's page cache and page freeing set for a stretch of bulk work."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.pool import SingletonThreadPool

__all__ = ["Beside", "freed_unzeroed", "page_cache", "threads_may_share"]


class Beside:
    """``work`` run in a thread of its own, started at once."""

    def __init__(self, work: Callable[[], None], name: str) -> None:
        self._work = work
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name)
        self._thread.start()

    def join(self) -> None:
        """Until the work ends; its failure is raised here."""
        self._thread.join()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def abandon(self) -> None:
        """Until the work ends, its failure dropped (the caller is failing already)."""
        self._thread.join()
        self._failure = None

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as failure:  # raised in the caller's thread by ``join``
            self._failure = failure


def threads_may_share(connection: Connection) -> bool:
    """Whether another thread may use this connection while its own waits. A SQLite
    database in memory is one connection per thread (SQLAlchemy's ``SingletonThreadPool``,
    its driver refusing other threads): there everything stays in the caller's thread."""
    return not isinstance(connection.engine.pool, SingletonThreadPool)


@contextmanager
def page_cache(connection: Connection, size: int) -> Iterator[None]:
    """SQLite's page cache set to ``size`` (PRAGMA units: negative for KiB) for the body,
    the connection's own after; nothing elsewhere."""
    if connection.dialect.name != "sqlite":
        yield
        return
    cache: Any = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={size}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


# PRAGMA secure_delete reads 0, 1 or 2; only "FAST" sets 2 (a "2" would read as on).
_SECURE_DELETE = {0: "OFF", 1: "ON", 2: "FAST"}


@contextmanager
def freed_unzeroed(connection: Connection) -> Iterator[None]:
    """SQLite's ``secure_delete`` at ``FAST`` for the body, the connection's own after.

    Where SQLite is built with ``SQLITE_SECURE_DELETE`` (Debian 12's libsqlite3 is: the
    one CI's Python uses), every page a delete frees is first written over with zeros:
    emptying the reconcile tables of a million people wrote 5 GB of zeros through the
    write-ahead log (``clear_all`` 38.2 s, against 3.6 s at ``FAST``). At ``FAST`` the
    deleted rows are still zeroed in the b-tree pages that stay in use; whole pages freed
    keep their bytes on the free list until reused (SQLite's pragma docs), and a full
    run reuses them at once for the same tables. Kept to the reconcile tables' own
    rewrite: a record deleted elsewhere is zeroed as the build sets."""
    if connection.dialect.name != "sqlite":
        yield
        return
    setting: Any = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
    connection.exec_driver_sql("PRAGMA secure_delete=FAST")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA secure_delete={_SECURE_DELETE[int(setting)]}")
