"""The procrastinate app on the store's PostgreSQL: tasks, their locks, periodic deferral.

One job syncs one (source, stream) (or one source with ``split_streams: false``); its
procrastinate ``lock`` keeps one such job running at a time and its ``queueing_lock`` keeps
at most one waiting, so a pile-up of due runs collapses into one (APScheduler's
``coalesce``). The ``schedule:`` section becomes periodic tasks: every worker runs the
periodic deferrer and the database's unique (task, periodic id, tick) row lets exactly one
of them defer each tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.tasks import Task

from sync.config.cron import every_to_cron, schedule_cron
from sync.config.models import CrmsyncConfig, SourceConfig
from sync.config.workers import WorkersConfig
from sync.workers.naming import NamingJobManager
from sync.workers.tasks import SyncRetry, retry_stalled_job, step_job, sync_job

__all__ = [
    "RETRY_STALLED_TASK",
    "STEP_TASK",
    "SYNC_TASK",
    "PlannedJob",
    "build_app",
    "conninfo",
    "periodic_plan",
    "source_jobs",
    "source_streams",
    "step_plan",
]

SYNC_TASK = "crmsync.sync"
STEP_TASK = "crmsync.step"
RETRY_STALLED_TASK = "crmsync.retry_stalled"


@dataclass(frozen=True)
class PlannedJob:
    """One job to defer: task, arguments, locks, queue, and its cron when periodic."""

    task: str
    periodic_id: str
    kwargs: dict[str, Any]
    lock: str
    queue: str
    cron: str | None = None

    def configure_kwargs(self) -> dict[str, Any]:
        return {
            "lock": self.lock,
            "queueing_lock": self.lock,
            "queue": self.queue,
            "task_kwargs": dict(self.kwargs),
        }


def conninfo(store_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (``options=`` and all kept)."""
    for prefix in ("postgresql+psycopg://", "postgresql://"):
        if store_url.startswith(prefix):
            return "postgresql://" + store_url.removeprefix(prefix)
    raise ValueError("the workers need a PostgreSQL store (store.url: postgresql://...)")


def source_streams(source: SourceConfig) -> list[str]:
    """The streams a source syncs: its ``streams:`` list, else all its connector's."""
    if source.streams:
        return list(source.streams)
    from sync.sources import build_connector

    connector = build_connector(source)
    try:
        return [info.name for info in connector.streams()]
    finally:
        connector.close()


def source_jobs(
    config: CrmsyncConfig, source: SourceConfig, streams: list[str] | None = None
) -> list[PlannedJob]:
    """The sync jobs of one source: one per stream, or one for the whole source."""
    settings = config.workers
    queue = settings.queues.sync
    if not settings.split_streams and streams is None:
        kwargs = {"source": source.name}
        return [PlannedJob(SYNC_TASK, source.name, kwargs, f"sync:{source.name}", queue)]
    return [
        PlannedJob(
            SYNC_TASK,
            f"{source.name}/{stream}",
            {"source": source.name, "stream": stream},
            f"sync:{source.name}/{stream}",
            queue,
        )
        for stream in (streams or source_streams(source))
    ]


def step_plan(config: CrmsyncConfig, step: str) -> PlannedJob:
    queue = config.workers.queues.steps
    return PlannedJob(STEP_TASK, step, {"step": step}, f"step:{step}", queue)


def periodic_plan(config: CrmsyncConfig) -> list[PlannedJob]:
    """Every periodic job of the ``schedule:`` section, with its cron; sorted by id."""
    planned: list[PlannedJob] = []
    settings = config.workers
    planned.append(
        PlannedJob(
            RETRY_STALLED_TASK,
            "retry-stalled",
            {},
            "retry-stalled",
            settings.queues.maintenance,
            every_to_cron(settings.stalled_check_every),
        )
    )
    if config.schedule is None:
        return planned
    for source in (s for s in config.sources if s.enabled):
        entry = config.schedule.for_source(source.name)
        cron = schedule_cron(entry.every, entry.cron)
        for job in source_jobs(config, source):
            planned.append(_with_cron(job, cron))
    for step, entry in sorted(config.schedule.steps.items()):
        planned.append(_with_cron(step_plan(config, step), schedule_cron(entry.every, entry.cron)))
    return sorted(planned, key=lambda j: (j.task, j.periodic_id))


def _with_cron(job: PlannedJob, cron: str) -> PlannedJob:
    return PlannedJob(job.task, job.periodic_id, job.kwargs, job.lock, job.queue, cron)


def build_app(config: CrmsyncConfig, periodic: bool = True, worker_name: str | None = None) -> App:
    """The procrastinate app of ``config`` (not opened). ``periodic``: register the
    schedule's periodic tasks (workers do; ``crmsync worker defer`` does not need them).
    ``worker_name``: the worker running this app records its name when it registers."""
    settings: WorkersConfig = config.workers
    connector = PsycopgConnector(
        conninfo=conninfo(config.store.url),
        min_size=1,
        max_size=settings.concurrency + 4,  # jobs + listener, heartbeat, deferrer, aborts
    )
    app = App(
        connector=connector,
        periodic_defaults={"max_delay": settings.catch_up.total_seconds()},
    )
    if worker_name is not None:
        app.job_manager = NamingJobManager(connector, worker_name)
    retry = SyncRetry(settings.retry_failed, settings.retry_wait)
    tasks: dict[str, Task[Any, Any, Any]] = {
        SYNC_TASK: app.task(
            name=SYNC_TASK, pass_context=True, queue=settings.queues.sync, retry=retry
        )(sync_job),
        STEP_TASK: app.task(
            name=STEP_TASK, pass_context=True, queue=settings.queues.steps, retry=retry
        )(step_job),
        RETRY_STALLED_TASK: app.task(
            name=RETRY_STALLED_TASK, pass_context=True, queue=settings.queues.maintenance
        )(retry_stalled_job),
    }
    if periodic:
        for job in periodic_plan(config):
            assert job.cron is not None
            app.periodic(
                cron=job.cron,
                periodic_id=job.periodic_id,
                **job.configure_kwargs(),
            )(tasks[job.task])
    return app
