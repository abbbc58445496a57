"""``Daemon``: wires the scheduler, jobs, run locks, back-off, metrics and signals."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.daemon.backoff import Backoff
from sync.daemon.health import HealthServer
from sync.daemon.jobs import SourceJob
from sync.daemon.metrics import DaemonMetrics
from sync.daemon.scheduler import build_scheduler
from sync.daemon.settings import ScheduleConfig
from sync.daemon.signals import StopSignals
from sync.errors import UsageError

__all__ = ["Daemon"]

log = logging.getLogger("sync.daemon")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """Runs every enabled source on its schedule until ``stop()`` or a signal.

    ``run()`` blocks; it returns 0 after a clean stop and 1 when running jobs did not
    finish their page within ``schedule.stop_timeout``.
    """

    def __init__(
        self,
        config: CrmsyncConfig,
        engine: Engine,
        health_port: int | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.config = config
        self.schedule = config.schedule or ScheduleConfig()
        sources = [s for s in config.sources if s.enabled]
        unknown = set(self.schedule.sources) - {s.name for s in config.sources}
        if unknown:
            raise UsageError(
                f"schedule.sources names {', '.join(sorted(unknown))}, which "
                "is not a configured source"
            )
        if not sources:
            raise UsageError("no enabled source to schedule: add one under sources:")
        self.engine = engine
        self.now = now
        self.stop_event = threading.Event()
        self.metrics = DaemonMetrics([s.name for s in sources], now)
        self.backoff = Backoff(self.schedule.backoff_initial, self.schedule.backoff_max)
        self.jobs = [
            SourceJob(engine, s, self.metrics, self.backoff, self.stop_event, now) for s in sources
        ]
        self.scheduler = build_scheduler(
            [(job, self.schedule.for_source(job.source.name)) for job in self.jobs], now()
        )
        self.scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self.health = (
            HealthServer(self.metrics, health_port, self._alive)
            if health_port is not None
            else None
        )

    def _on_skipped(self, event: JobEvent) -> None:
        # A due time that found the previous run still going (or came too late): expected
        # with coalescing, so counted rather than logged as APScheduler's warning.
        self.metrics.add(event.job_id, skipped=1)
        reason = "still running" if event.code == EVENT_JOB_MAX_INSTANCES else "missed"
        log.debug("%s: due run skipped (%s)", event.job_id, reason)

    def _alive(self) -> bool:
        return self.scheduler.running and not self.stop_event.is_set()

    def stop(self) -> None:
        """Ask for a clean stop (what the first SIGTERM does)."""
        self.stop_event.set()

    def run(self, handle_signals: bool = True) -> int:
        signals = StopSignals(self.stop_event)
        if handle_signals:
            signals.install()
        try:
            self.scheduler.start()
            if self.health is not None:
                self.health.start()
                log.info("health on http://127.0.0.1:%d/healthz and /metrics", self.health.port)
            for job in self.scheduler.get_jobs():
                log.info("%s: next run at %s", job.id, job.next_run_time.isoformat())
            self.stop_event.wait()
            return self._shutdown()
        finally:
            if self.health is not None:
                self.health.stop()
            if handle_signals:
                signals.restore()

    def _shutdown(self) -> int:
        log.info("stopping: no new runs; waiting for the current pages to commit")
        self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + self.schedule.stop_timeout.total_seconds()
        while time.monotonic() < deadline:
            if not any(m.running for m in self.metrics.snapshot().values()):
                log.info("stopped cleanly")
                return 0
            time.sleep(0.05)
        busy = [name for name, m in self.metrics.snapshot().items() if m.running]
        log.warning("stop timeout: %s still running; exiting anyway", ", ".join(busy))
        return 1
