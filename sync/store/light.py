"""Light read-only handles on the bookkeeping tables, for ``crmsync status``.

The SQLModel classes of ``bookkeeping.py`` and ``daemon_jobs.py`` define these tables (and
their migrations); importing them brings in SQLModel and the SQLAlchemy ORM, about a sixth
of the command's start-up. A command that only reads a few columns queries these Core
``table()`` clauses instead: they name the columns read, with the same column types, so
results come back converted the same way (aware UTC datetimes, JSON documents). A test
checks them against the SQLModel tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, String, column, table
from sqlalchemy.sql.expression import ColumnClause, TableClause

from sync.store.types import JsonDoc, UtcDateTime

__all__ = ["DAEMON_JOBS", "QUARANTINE", "RUNS", "RUN_STREAMS", "STREAM_STATES"]


def _counts(*names: str) -> list[ColumnClause[Any]]:
    return [column(name, Integer) for name in names]


STREAM_STATES: TableClause = table(
    "sync_state",
    column("source", String),
    column("stream", String),
    column("state", JsonDoc),
)
RUNS: TableClause = table(
    "sync_runs",
    column("id", Integer),
    column("source", String),
    column("started_at", UtcDateTime),
)
RUN_STREAMS: TableClause = table(
    "sync_run_streams",
    column("run_id", Integer),
    column("stream", String),
    column("status", String),
    *_counts(
        "fetched",
        "inserted",
        "updated",
        "deleted",
        "deleted_reported",
        "deleted_merged",
        "deleted_missing",
        "restored",
        "api_calls",
    ),
    column("error", String),
)
QUARANTINE: TableClause = table(
    "quarantine",
    column("source", String),
    column("stream", String),
    column("resolved", Boolean),
)
DAEMON_JOBS: TableClause = table(
    "daemon_jobs",
    column("job", String),
    column("schedule", String),
    column("next_run_at", UtcDateTime),
    column("last_finished_at", UtcDateTime),
    column("last_status", String),
    column("last_error", String),
    column("consecutive_failures", Integer),
    column("backoff_until", UtcDateTime),
    column("heartbeat_at", UtcDateTime),
    column("owner", String),
)
