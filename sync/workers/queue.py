"""Deferring jobs by hand and reading the queue, for ``crmsync worker defer|status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procrastinate import App, exceptions
from sqlalchemy import Connection, Engine, text

from sync.workers.app import PlannedJob

__all__ = ["Deferred", "QueuedJob", "WorkerRow", "defer_jobs", "list_jobs", "list_workers"]


@dataclass(frozen=True)
class Deferred:
    """The outcome of deferring one job: its id, or None when one is already queued."""

    job: PlannedJob
    job_id: int | None

    @property
    def status(self) -> str:
        return "queued" if self.job_id is not None else "already queued"


@dataclass(frozen=True)
class QueuedJob:
    id: int
    task: str
    args: dict[str, Any]
    status: str
    queue: str
    attempts: int
    worker_id: int | None
    scheduled_at: datetime | None
    updated_at: datetime | None
    worker: str | None = None  # the worker's --name

    @property
    def target(self) -> str:
        if "source" in self.args:
            stream = self.args.get("stream")
            return f"{self.args['source']}/{stream}" if stream else str(self.args["source"])
        return str(self.args.get("step", "-"))


@dataclass(frozen=True)
class WorkerRow:
    id: int
    last_heartbeat: datetime
    seconds_silent: float
    name: str | None = None  # its --name (None: started before names were recorded)

    @property
    def label(self) -> str:
        return self.name or f"#{self.id}"


def defer_jobs(app: App, planned: list[PlannedJob]) -> list[Deferred]:
    """Defer each job now; a job whose queueing lock is taken is reported, not an error."""
    out = []
    for job in planned:
        deferrer = app.configure_task(job.task, **job.configure_kwargs())
        try:
            job_id = deferrer.defer()
        except exceptions.AlreadyEnqueued:
            out.append(Deferred(job, None))
            continue
        out.append(Deferred(job, job_id))
    return out


_NAMES = "SELECT to_regclass('crmsync_worker_names') IS NOT NULL"

_JOBS = (
    "SELECT j.id, j.task_name, j.args, j.status::text AS status, j.queue_name, j.attempts, "
    "j.worker_id, j.scheduled_at, "
    "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS updated_at, "
    "{name} AS worker "
    "FROM procrastinate_jobs j WHERE j.status::text = ANY(:statuses) ORDER BY j.id"
)

_WORKERS = (
    "SELECT w.id, w.last_heartbeat, extract(epoch FROM now() - w.last_heartbeat) AS silent, "
    "{name} AS name FROM procrastinate_workers w ORDER BY w.id"
)


def _name_of(conn: Connection, worker_id: str) -> str:
    """The SQL of the name of worker ``worker_id`` (NULL on a queue without names yet)."""
    if not conn.execute(text(_NAMES)).scalar():
        return "NULL"
    return f"(SELECT n.name FROM crmsync_worker_names n WHERE n.worker_id = {worker_id})"


def list_jobs(engine: Engine, statuses: tuple[str, ...]) -> list[QueuedJob]:
    """Jobs in ``statuses`` (todo, doing, succeeded, failed, cancelled, aborted), by id."""
    with engine.connect() as conn:
        query = text(_JOBS.format(name=_name_of(conn, "j.worker_id")))
        rows = conn.execute(query, {"statuses": list(statuses)}).mappings().all()
    return [
        QueuedJob(
            id=row["id"],
            task=row["task_name"],
            args=dict(row["args"] or {}),
            status=row["status"],
            queue=row["queue_name"],
            attempts=row["attempts"],
            worker_id=row["worker_id"],
            scheduled_at=row["scheduled_at"],
            updated_at=row["updated_at"],
            worker=row["worker"],
        )
        for row in rows
    ]


def list_workers(engine: Engine) -> list[WorkerRow]:
    """Registered workers with the age of their last heartbeat (the database's clock)."""
    with engine.connect() as conn:
        query = text(_WORKERS.format(name=_name_of(conn, "w.id")))
        return [
            WorkerRow(row[0], row[1], float(row[2]), row[3]) for row in conn.execute(query).all()
        ]
