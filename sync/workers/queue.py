"""Deferring jobs by hand and reading the queue, for ``crmsync worker defer|status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procrastinate import App, exceptions
from sqlalchemy import Engine, text

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


_JOBS = text(
    "SELECT j.id, j.task_name, j.args, j.status::text AS status, j.queue_name, j.attempts, "
    "j.worker_id, j.scheduled_at, "
    "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS updated_at "
    "FROM procrastinate_jobs j WHERE j.status::text = ANY(:statuses) ORDER BY j.id"
)


def list_jobs(engine: Engine, statuses: tuple[str, ...]) -> list[QueuedJob]:
    """Jobs in ``statuses`` (todo, doing, succeeded, failed, cancelled, aborted), by id."""
    with engine.connect() as conn:
        rows = conn.execute(_JOBS, {"statuses": list(statuses)}).mappings().all()
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
        )
        for row in rows
    ]


def list_workers(engine: Engine) -> list[WorkerRow]:
    """Registered workers with the age of their last heartbeat (the database's clock)."""
    query = text(
        "SELECT id, last_heartbeat, extract(epoch FROM now() - last_heartbeat) AS silent "
        "FROM procrastinate_workers ORDER BY id"
    )
    with engine.connect() as conn:
        return [WorkerRow(row[0], row[1], float(row[2])) for row in conn.execute(query).all()]
