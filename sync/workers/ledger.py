"""Closing run rows left open by an interrupted or killed stream job.

The engine closes its run rows when ``sync_source`` returns. A job stopped between pages
(worker shutdown) or a worker killed outright leaves them ``running``. Whoever holds the
stream's lock knows nobody else is syncing that stream, so every still-running row of it
is stale and can be closed; the run itself is closed once none of its streams runs.

That holds because a run shows a stream running only while it syncs it under the stream's
lock: the rows a run writes for records other streams' pages carried (a HubSpot deals page
carries its deal-contact roles) are written closed (``RunLedger.record_stream``).

A job stopped before its first stream began (its connector waiting to retry a call it
makes before reading, say) has a run row and no stream row: it closes that run by its id
(``close_run``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, exists, select, update

from sync.store.bookkeeping import RunRow, RunStreamRow
from sync.store.table_model import table_of

__all__ = ["KILLED_MESSAGE", "STOPPED_MESSAGE", "close_open_runs", "close_run"]

STOPPED_MESSAGE = "stopped by a worker shutdown; the job is queued again and resumes there"
KILLED_MESSAGE = "its worker died; the job was queued again and resumed there"


def close_open_runs(
    engine: Engine, source: str, streams: tuple[str, ...] | None, now: datetime, message: str
) -> int:
    """Mark ``source``'s running rows of ``streams`` (None: all) stopped; returns the runs
    closed. The caller holds the lock that makes those rows stale."""
    runs = table_of(RunRow)
    run_streams = table_of(RunStreamRow)
    with engine.begin() as conn:
        run_ids = [
            row[0]
            for row in conn.execute(
                select(run_streams.c.run_id)
                .join(runs, runs.c.id == run_streams.c.run_id)
                .where(
                    runs.c.source == source,
                    runs.c.status == "running",
                    run_streams.c.status == "running",
                    *([run_streams.c.stream.in_(streams)] if streams is not None else []),
                )
            )
        ]
        if not run_ids:
            return 0
        conn.execute(
            update(run_streams)
            .where(
                run_streams.c.run_id.in_(run_ids),
                run_streams.c.status == "running",
                *([run_streams.c.stream.in_(streams)] if streams is not None else []),
            )
            .values(status="stopped", error=message)
        )
        still_running = exists().where(
            run_streams.c.run_id == runs.c.id, run_streams.c.status == "running"
        )
        # Still running, checked again: a run found above may have been closed since by
        # its owner (in PostgreSQL each statement sees what was committed before it), and
        # a closed run is its owner's to describe, not a dead one to close.
        result = conn.execute(
            update(runs)
            .where(runs.c.id.in_(run_ids), runs.c.status == "running", ~still_running)
            .values(status="partial", finished_at=now, error=message)
        )
        return int(result.rowcount or 0)


def close_run(engine: Engine, run_id: int, now: datetime, message: str) -> None:
    """Close run ``run_id`` and its running streams as stopped, if still running."""
    runs = table_of(RunRow)
    run_streams = table_of(RunStreamRow)
    with engine.begin() as conn:
        conn.execute(
            update(run_streams)
            .where(run_streams.c.run_id == run_id, run_streams.c.status == "running")
            .values(status="stopped", error=message)
        )
        conn.execute(
            update(runs)
            .where(runs.c.id == run_id, runs.c.status == "running")
            .values(status="partial", finished_at=now, error=message)
        )
