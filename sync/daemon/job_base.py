"""What every scheduled job does around its work: stop check, back-off, run lock, metrics,
persisted state and alerts. Subclasses only say how to run once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from connectors.core.stopping import StopWaiting
from sync.daemon.alerts import Alerter
from sync.daemon.backoff import Backoff
from sync.daemon.jobstate import JobStates
from sync.daemon.metrics import DaemonMetrics
from sync.locks import holder_name, run_lock

__all__ = ["JobContext", "JobOutcome", "ScheduledJob"]

log = logging.getLogger("sync.daemon")

STOPPED_WAITING = "stopped by a shutdown signal while waiting to retry; the next run goes on"


@dataclass(frozen=True)
class JobOutcome:
    status: Literal["succeeded", "failed", "stopped"]
    error: str | None = None
    records: int = 0
    detail: str = ""


@dataclass(frozen=True)
class JobContext:
    """What the daemon shares with its jobs."""

    engine: Engine
    metrics: DaemonMetrics
    backoff: Backoff
    stop: threading.Event
    now: Callable[[], datetime]
    states: JobStates
    alerter: Alerter


class ScheduledJob:
    """Callable run by the scheduler; ``job_id`` names it everywhere (metrics, locks, status)."""

    job_id: str
    lock_name: str

    def __init__(self, context: JobContext) -> None:
        self.ctx = context

    def run_once(self) -> JobOutcome:
        raise NotImplementedError

    def __call__(self) -> None:
        ctx, name = self.ctx, self.job_id
        if ctx.stop.is_set():
            return
        until = ctx.backoff.waiting(name, ctx.now())
        if until is not None:
            ctx.metrics.add(name, skipped=1)
            log.info("%s: backing off until %s", name, until.isoformat(timespec="seconds"))
            return
        lock = run_lock(ctx.engine, self.lock_name)
        if not lock.try_acquire():
            ctx.metrics.add(name, skipped=1)
            who = holder_name(lock)
            log.info("%s: skipped, already running in %s", name, who)
            return
        ctx.metrics.update(name, running=True)
        ctx.metrics.add(name, runs=1)
        self._save(last_started_at=ctx.now(), last_status="running")
        try:
            outcome = self._guarded()
        finally:
            ctx.metrics.update(name, running=False)
            lock.release()
        self._record(outcome)

    def _guarded(self) -> JobOutcome:
        try:
            return self.run_once()
        except StopWaiting:  # a step's write-back waiting to retry when the daemon stops
            log.info("%s: %s", self.job_id, STOPPED_WAITING)
            return JobOutcome("stopped", STOPPED_WAITING)
        except Exception as exc:  # a bug in one job must not stop the daemon
            log.exception("%s: crashed", self.job_id)
            return JobOutcome("failed", f"internal error: {exc!r}")

    def _record(self, outcome: JobOutcome) -> None:
        ctx, name, now = self.ctx, self.job_id, self.ctx.now()
        ctx.metrics.add(name, records=outcome.records)
        if outcome.status == "stopped":
            self._save(last_finished_at=now, last_status="stopped", last_error=outcome.error)
            return
        previous = ctx.states.load().get(name)
        alerted = previous.alerted if previous else False
        if outcome.status == "succeeded":
            ctx.backoff.succeeded(name)
            ctx.metrics.update(name, consecutive_failures=0, last_success=now)
            ctx.alerter.recovered(name, alerted)
            self._save(
                last_finished_at=now,
                last_status="succeeded",
                last_error=None,
                consecutive_failures=0,
                backoff_until=None,
                alerted=False,
            )
            log.info("%s: succeeded%s", name, f", {outcome.detail}" if outcome.detail else "")
            return
        error = outcome.error or "failed"
        state = ctx.backoff.failed(name, now, error)
        assert state.until is not None
        ctx.metrics.add(name, failures=1)
        ctx.metrics.update(name, consecutive_failures=state.failures)
        log.warning(
            "%s: failed (%d in a row), next try not before %s: %s",
            name,
            state.failures,
            state.until.isoformat(timespec="seconds"),
            error,
        )
        alerted = ctx.alerter.failed(name, state.failures, error, state.until, alerted)
        self._save(
            last_finished_at=now,
            last_status="failed",
            last_error=error,
            consecutive_failures=state.failures,
            backoff_until=state.until,
            alerted=alerted,
        )

    def _save(self, **values: object) -> None:
        try:
            self.ctx.states.save(self.job_id, **values)
        except Exception as exc:  # bookkeeping must not turn a good run into a crash
            log.warning("%s: could not record the job state: %s", self.job_id, exc)
