"""Persisted job state (table ``daemon_jobs``): next runs for ``crmsync status``, last
outcomes, and the back-off of failing jobs across daemon restarts."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from sync.store.daemon_jobs import DaemonJobRow
from sync.store.table_model import table_of

__all__ = ["JobStates", "PersistedJob", "owner_label"]

_TABLE = table_of(DaemonJobRow)


def owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class PersistedJob:
    job: str
    consecutive_failures: int
    backoff_until: datetime | None
    last_error: str | None
    alerted: bool


class JobStates:
    """Reads and writes ``daemon_jobs`` rows; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.owner = owner_label()
        # The jobs the running configuration schedules (None: any). A job a reload removed
        # while it was running must not write its row back when it finishes.
        self.configured: frozenset[str] | None = None

    def load(self) -> dict[str, PersistedJob]:
        with self.engine.connect() as conn:
            return {
                row.job: PersistedJob(
                    row.job,
                    row.consecutive_failures,
                    row.backoff_until,
                    row.last_error,
                    row.alerted,
                )
                for row in conn.execute(select(_TABLE))
            }

    def save(self, job: str, **values: Any) -> None:
        """Upsert ``job`` with ``values`` (columns of ``daemon_jobs``); nothing for a job
        the running configuration no longer schedules."""
        if not self._scheduled(job):
            return
        with self.engine.begin() as conn:
            _upsert(conn, job, values)

    def _scheduled(self, job: str) -> bool:
        return self.configured is None or job in self.configured

    def heartbeat(self, next_runs: dict[str, datetime | None], now: datetime) -> None:
        """Record every job's next run time and that this daemon is alive, in one
        transaction (one wait for the store's write lock, not one a job)."""
        with self.engine.begin() as conn:
            for job, next_run in next_runs.items():
                if self._scheduled(job):
                    values = {"next_run_at": next_run, "heartbeat_at": now, "owner": self.owner}
                    _upsert(conn, job, values)

    def forget_next_runs(self, jobs: list[str]) -> None:
        """A stopped daemon runs nothing next: no next run, no heartbeat (one transaction)."""
        with self.engine.begin() as conn:
            for job in jobs:
                _upsert(conn, job, {"next_run_at": None, "heartbeat_at": None})

    def forget_except(self, jobs: set[str]) -> None:
        """Drop rows of jobs no longer configured (after a reload or a config change)."""
        with self.engine.begin() as conn:
            conn.execute(_TABLE.delete().where(_TABLE.c.job.not_in(sorted(jobs))))

    def rows(self) -> list[DaemonJobRow]:
        with self.engine.connect() as conn:
            return [
                DaemonJobRow(**row._mapping)
                for row in conn.execute(select(_TABLE).order_by(_TABLE.c.job))
            ]


def _upsert(conn: Connection, job: str, values: dict[str, Any]) -> None:
    exists = conn.execute(select(_TABLE.c.job).where(_TABLE.c.job == job)).first()
    if exists:
        conn.execute(_TABLE.update().where(_TABLE.c.job == job).values(**values))
    else:
        defaults = {"schedule": "", "consecutive_failures": 0, "alerted": False}
        conn.execute(_TABLE.insert().values(job=job, **{**defaults, **values}))
