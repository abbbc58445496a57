"""Closing the sync runs a dead process left ``running``.

The engine closes its run rows when ``sync_source`` returns, and a clean stop closes them
as stopped; a process killed outright (SIGKILL, a second SIGTERM, a crash of the machine)
leaves them ``running`` for ever. Every run of a source happens under the source's run
lock, and the lock dies with its holder: whoever holds the lock knows that every run of
the source still marked running belongs to a dead process. Runs whose lock is held by a
live process are never touched.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, select

from sync.locks import run_lock
from sync.pull.runs import ABORTED_MESSAGE, close_running_runs
from sync.store.bookkeeping import RunRow
from sync.store.table_model import table_of

__all__ = ["ABORTED_MESSAGE", "close_dead_runs", "sweep_dead_runs"]

log = logging.getLogger("sync.daemon")

_RUNS = table_of(RunRow)


def close_dead_runs(engine: Engine, source: str, now: datetime) -> int:
    """Mark ``source``'s running runs (and their running streams) aborted; returns how
    many. The caller holds the source's run lock, which makes those runs dead."""
    run_ids = close_running_runs(engine, source, now, "aborted", "aborted", ABORTED_MESSAGE)
    if not run_ids:
        return 0
    log.warning(
        "%s: %d run%s left running by a process that ended, closed as aborted",
        source,
        len(run_ids),
        "" if len(run_ids) == 1 else "s",
    )
    return len(run_ids)


def sweep_dead_runs(engine: Engine, now: datetime) -> int:
    """Close the dead runs of every source whose run lock is free; returns how many."""
    with engine.connect() as conn:
        sources = sorted(
            conn.execute(select(_RUNS.c.source).where(_RUNS.c.status == "running").distinct())
            .scalars()
            .all()
        )
    closed = 0
    for source in sources:
        lock = run_lock(engine, source)
        if not lock.try_acquire():
            continue  # a live process is syncing it
        try:
            closed += close_dead_runs(engine, source, now)
        finally:
            lock.release()
    return closed
