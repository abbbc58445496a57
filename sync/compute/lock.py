"""One writer per pay period: the lock ``plan run``, the compute step and ``plan close`` take.

Two runs of one period would both compute and both store a result (and a close could land
between a run's computation and its write). The lock is the run lock of
``sync.locks`` under a name no source can have, so it behaves as the sync's does:
an advisory lock on PostgreSQL, ``flock`` next to the SQLite file, dropped by the database
or the kernel when its holder dies, and naming its holder (host, pid, since) to whoever
is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from sync.errors import OperationFailed
from sync.locks import RunLock, acquire_run_lock, holder_name, run_lock

__all__ = ["PeriodBusy", "hold_period", "period_lock"]


class PeriodBusy(OperationFailed):
    """Another process is running or closing the period."""


def period_lock(engine: Engine, period: str) -> RunLock:
    """The lock of ``period`` (e.g. ``2026-10``) in this store."""
    # "_plan-..." is not a valid source name, so it never meets a sync's lock
    return run_lock(engine, f"_plan-{period}")


@contextmanager
def hold_period(engine: Engine, period: str, wait: float = 0.0) -> Iterator[None]:
    """Hold ``period``'s lock for the block, waiting up to ``wait`` seconds for it; else
    :class:`PeriodBusy` naming the holder."""
    lock = period_lock(engine, period)
    if not acquire_run_lock(lock, wait):
        who = holder_name(lock)
        waited = f" (waited {wait:g} s)" if wait > 0 else ""
        raise PeriodBusy(
            f"period {period} is being run or closed by {who}{waited}; try again when it "
            "has finished (`crmsync plan run --wait-lock SECONDS` waits for it)"
        )
    try:
        yield
    finally:
        lock.release()
