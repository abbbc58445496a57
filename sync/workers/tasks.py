"""The bodies of the worker jobs: sync of one source (or one of its streams), one later
step, and the retry of jobs whose worker died.

Each job logs one line when it starts and one when it ends, naming the worker, so the logs
say which worker ran what. A sync job stopped between pages (worker shutdown) raises
``JobInterrupted`` and is queued again at once; one stopped while its connector waits (a
retry's back-off, a server's ``Retry-After``, a bulk job) ends that wait at once, as the
daemon's runs do (``connectors.core.stopping``), and is queued again the same way; a killed
worker's job is queued again by ``retry_stalled_job``. Either way the next attempt resumes
from the committed cursor: a page and its cursor commit in one transaction and writes are
upserts, so nothing is lost or written twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from procrastinate import JobContext, exceptions, jobs
from procrastinate.job_context import AbortReason
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy import Engine

from connectors.core.errors import ConnectorError
from connectors.core.stopping import StopWaiting, stoppable
from sync.config.models import CrmsyncConfig
from sync.locks import RunLock, run_lock
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store.pages import PageCounts
from sync.workers.ledger import KILLED_MESSAGE, STOPPED_MESSAGE, close_open_runs, close_run
from sync.workers.locks import StreamLock

__all__ = [
    "JobFailed",
    "JobInterrupted",
    "SyncRetry",
    "WorkerRuntime",
    "retry_stalled_job",
    "step_job",
    "sync_job",
]

log = logging.getLogger("sync.workers")


@dataclass(frozen=True)
class WorkerRuntime:
    """What a worker hands its jobs (through procrastinate's ``additional_context``)."""

    config: CrmsyncConfig
    engine: Engine
    worker: str
    now: Callable[[], datetime]
    stalled_timeout: timedelta


class JobInterrupted(BaseException):
    """Raised between pages when the worker shuts down (a ``BaseException``, so the
    engine's per-stream ``except Exception`` lets it through); the job is queued again."""

    def __init__(self, cancelled: bool = False) -> None:
        super().__init__("cancelled by a user" if cancelled else "worker shutdown")
        self.cancelled = cancelled  # an abort asked for by a user: not queued again


class JobFailed(Exception):
    """The job ran and failed (CRM error, unknown source, failed step)."""


class SyncRetry(BaseRetryStrategy):
    """Interrupted jobs are queued again at once; failed ones ``retries`` times, backing off."""

    def __init__(self, retries: int, wait: timedelta) -> None:
        self.retries = retries
        self.wait = wait

    def get_retry_decision(
        self, *, exception: BaseException, job: jobs.Job
    ) -> RetryDecision | None:
        if isinstance(exception, JobInterrupted):
            return None if exception.cancelled else RetryDecision(retry_in={"seconds": 0})
        if isinstance(exception, JobFailed) and job.attempts < self.retries:
            seconds = self.wait.total_seconds() * 2**job.attempts
            return RetryDecision(retry_in={"seconds": int(seconds)})
        return None


def _runtime(context: JobContext) -> WorkerRuntime:
    runtime: WorkerRuntime = context.additional_context["crmsync"]
    return runtime


def _describe(context: JobContext, what: str, timestamp: int | None) -> str:
    job = context.job
    tick = f" tick={timestamp}" if timestamp is not None else ""
    return f"job {job.id} {what}{tick} attempt={job.attempts + 1}"


def sync_job(
    context: JobContext, source: str, stream: str | None = None, timestamp: int | None = None
) -> dict[str, Any]:
    """Sync ``source`` (only ``stream`` when given) under its run lock."""
    runtime = _runtime(context)
    what = f"sync {source}/{stream}" if stream else f"sync {source}"
    label = _describe(context, what, timestamp)
    log.info("%s: started on worker %s", label, runtime.worker)
    try:
        config = runtime.config.source(source)
    except KeyError as exc:
        raise JobFailed(f"{what}: no source named {source!r} in the configuration") from exc
    if not config.enabled:
        log.info("%s: skipped on worker %s (source disabled)", label, runtime.worker)
        return {"status": "skipped", "reason": "source disabled"}
    lock: RunLock | StreamLock = (
        StreamLock(runtime.engine, source, stream) if stream else run_lock(runtime.engine, source)
    )
    if not lock.try_acquire():
        log.info("%s: skipped on worker %s (being synced elsewhere)", label, runtime.worker)
        return {"status": "skipped", "reason": "being synced by another process"}
    streams = (stream,) if stream else None
    try:
        close_open_runs(runtime.engine, source, streams, runtime.now(), KILLED_MESSAGE)
        try:
            connector = build_connector(config)
        except ConnectorError as exc:
            raise JobFailed(f"{what}: {exc.user_message}") from exc

        def on_page(_source: str, _stream: str, _counts: PageCounts) -> None:
            reason = context.abort_reason()
            if reason is not None:
                raise JobInterrupted(cancelled=reason != AbortReason.SHUTDOWN)

        runs: list[int] = []
        try:
            with stoppable() as own, _aborts_end_waits(context, own):
                report = sync_source(
                    runtime.engine,
                    config,
                    connector,
                    SyncOptions(streams=streams),
                    runtime.now,
                    on_page,
                    started=runs.append,
                )
        except (JobInterrupted, StopWaiting) as stop:
            for run_id in runs:  # this job's run, with a stream row or before its first
                close_run(runtime.engine, run_id, runtime.now(), STOPPED_MESSAGE)
            if isinstance(stop, JobInterrupted):
                cancelled = stop.cancelled
            else:  # a wait ended by the abort: the reason says which (None: the process)
                reason = context.abort_reason()
                cancelled = reason is not None and reason != AbortReason.SHUTDOWN
            if cancelled:
                log.info("%s: cancelled on worker %s", label, runtime.worker)
                raise exceptions.JobAborted(f"{what}: cancelled") from None
            log.info("%s: interrupted on worker %s, queued again", label, runtime.worker)
            raise JobInterrupted() from None
        finally:
            connector.close()
    finally:
        lock.release()
    fetched = sum(s.counts.fetched for s in report.streams)
    log.info("%s: %s on worker %s (%d records read)", label, report.status, runtime.worker, fetched)
    if report.status != "succeeded":
        raise JobFailed(f"{what}: {report.status}: {report.error}")
    return {"status": report.status, "run_id": report.run_id, "fetched": fetched}


@contextmanager
def _aborts_end_waits(
    context: JobContext, own: threading.Event, every: float = 0.2
) -> Iterator[None]:
    """While the body runs, an abort of the job (a user's cancel, the worker's shutdown past
    its grace) sets ``own``, which ends the connector's waits; between pages ``on_page``
    sees the abort itself. procrastinate only records an abort: it is looked for here."""
    done = threading.Event()

    def watch() -> None:
        while not done.wait(every):
            if context.abort_reason() is not None:
                own.set()
                return

    watcher = threading.Thread(target=watch, name="crmsync-abort-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def step_job(context: JobContext, step: str, timestamp: int | None = None) -> dict[str, Any]:
    """Run one later step; a step not installed yet reports skipped."""
    from sync.pipeline.main_job import run_steps
    from sync.pipeline.steps import StepContext

    runtime = _runtime(context)
    label = _describe(context, f"step {step}", timestamp)
    log.info("%s: started on worker %s", label, runtime.worker)
    (report,) = run_steps(runtime.engine, runtime.config, StepContext(now=runtime.now()), [step])
    detail = f" ({report.error})" if report.error else ""
    log.info("%s: %s on worker %s%s", label, report.status, runtime.worker, detail)
    if report.status == "failed":
        raise JobFailed(f"step {step}: {report.error}")
    return {"status": report.status, "error": report.error, "summary": report.summary}


async def retry_stalled_job(context: JobContext, timestamp: int | None = None) -> dict[str, Any]:
    """Queue again the running jobs of workers silent for longer than the stalled timeout,
    then forget those workers.

    When a newer job of the same stream is already queued, the stalled one is marked failed
    instead: the queued one resumes from the same committed cursor.
    """
    runtime = _runtime(context)
    manager = context.app.job_manager
    seconds = runtime.stalled_timeout.total_seconds()
    retried, superseded = [], []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        if job.id == context.job.id:
            continue
        try:
            await manager.retry_job(job)
            retried.append(job.id)
        except exceptions.UniqueViolation:
            await manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
            superseded.append(job.id)
        except exceptions.ConnectorException:
            continue  # finished or retried meanwhile
    # Their jobs are queued again: the dead workers themselves are forgotten, so
    # `crmsync worker status` does not list them as stalled until some worker restarts.
    pruned = await manager.prune_stalled_workers(seconds)
    if retried or superseded or pruned:
        log.info(
            "job %s retry-stalled on worker %s: queued again %s, superseded %s, "
            "dead workers forgotten %s",
            context.job.id,
            runtime.worker,
            retried,
            superseded,
            pruned,
        )
    return {"retried": retried, "superseded": superseded, "pruned": pruned}
