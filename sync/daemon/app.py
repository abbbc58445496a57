"""``Daemon``: wires the scheduler, jobs, run locks, back-off, metrics, alerts and signals."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from sqlalchemy import Engine

from connectors.core.stopping import clear_stop, request_stop
from sync.config.models import CrmsyncConfig
from sync.config.schedule import JobSchedule, ScheduleConfig
from sync.daemon.alerts import Alerter, AlertSender
from sync.daemon.backoff import Backoff
from sync.daemon.dead_runs import sweep_dead_runs
from sync.daemon.health import HealthRules, HealthServer
from sync.daemon.job_base import JobContext, ScheduledJob
from sync.daemon.jobs import SourceJob
from sync.daemon.jobstate import JobStates
from sync.daemon.metrics import DaemonMetrics
from sync.daemon.scheduler import add_jobs, build_scheduler, describe, period
from sync.daemon.signals import StopSignals
from sync.daemon.step_job import StepJob
from sync.errors import CrmsyncError, UsageError

__all__ = ["Daemon"]

log = logging.getLogger("sync.daemon")

ConfigLoader = Callable[[], CrmsyncConfig]

# After a stop is asked, the process ends within the stop timeout plus this, whatever holds
# it (see StopSignals): time for the last writes once the jobs have stopped.
STOP_WATCHDOG_MARGIN_S = 15.0

# The floor of the default lag bound: a job due every minute is not unhealthy at 3 minutes.
DEFAULT_MIN_LAG = timedelta(minutes=15)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """Runs every enabled source (and every scheduled step) until ``stop()`` or a signal.

    ``run()`` blocks; it returns 0 after a clean stop and 1 when running jobs did not
    finish their page within ``schedule.stop_timeout``. With ``reload_config`` given,
    SIGHUP (or :meth:`reload`) loads and validates the configuration again and applies it
    only if it is valid; the store cannot change on a reload.
    """

    def __init__(
        self,
        config: CrmsyncConfig,
        engine: Engine,
        health_port: int | None = None,
        now: Callable[[], datetime] = _utc_now,
        reload_config: ConfigLoader | None = None,
        send_alert: AlertSender | None = None,
    ) -> None:
        self.engine = engine
        self.now = now
        self.reload_config = reload_config
        self.send_alert = send_alert
        self.stop_event = threading.Event()
        self.reload_event = threading.Event()
        self.wake = threading.Event()
        self.states = JobStates(engine)
        self.config = config
        self.schedule = config.schedule or ScheduleConfig()
        self.metrics = DaemonMetrics([], now)
        self.backoff = Backoff(self.schedule.backoff_initial, self.schedule.backoff_max)
        planned = self._plan(config)  # validates before anything starts
        self._restore_backoff()
        self.scheduler = build_scheduler(len(planned) + 4)
        self.scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
        self._schedules: dict[str, JobSchedule] = {}
        # Held while the jobs change (a reload) and while a heartbeat reads their next runs
        # and writes them: a beat that read them before a reload must not write the old
        # next run beside the new schedule after it.
        self._schedule_lock = threading.Lock()
        self._apply(planned)
        self._restore_failures()
        self.health = (
            HealthServer(self.metrics, health_port, self._alive, self._health_rules, self.now)
            if health_port is not None
            else None
        )

    # --- jobs -------------------------------------------------------------------------

    def _context(self, config: CrmsyncConfig) -> JobContext:
        return JobContext(
            self.engine,
            self.metrics,
            self.backoff,
            self.stop_event,
            self.now,
            self.states,
            Alerter(config.alerts, self.send_alert),
        )

    def _plan(self, config: CrmsyncConfig) -> list[tuple[ScheduledJob, JobSchedule]]:
        if config.workers.enabled:
            raise UsageError(
                "workers.enabled is true: run `crmsync worker` processes instead of the "
                "daemon, or set workers.enabled: false"
            )
        schedule = config.schedule or ScheduleConfig()
        sources = [s for s in config.sources if s.enabled]
        unknown = set(schedule.sources) - {s.name for s in config.sources}
        if unknown:
            raise UsageError(
                f"schedule.sources names {', '.join(sorted(unknown))}, which "
                "is not a configured source"
            )
        if not sources and not schedule.steps:
            raise UsageError("nothing to schedule: add a source under sources:")
        context = self._context(config)
        planned: list[tuple[ScheduledJob, JobSchedule]] = [
            (SourceJob(context, s), schedule.for_source(s.name)) for s in sources
        ]
        planned += [
            (StepJob(context, name, config), step_schedule)
            for name, step_schedule in schedule.steps.items()
        ]
        return planned

    def _apply(self, planned: list[tuple[ScheduledJob, JobSchedule]]) -> None:
        with self._schedule_lock:
            self._apply_unlocked(planned)

    def _apply_unlocked(self, planned: list[tuple[ScheduledJob, JobSchedule]]) -> None:
        wanted = {job.job_id for job, _ in planned}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                log.info("%s: no longer scheduled", job.id)
        self.metrics.ensure(sorted(wanted))
        add_jobs(self.scheduler, planned, self.now(), self._schedules)
        self._schedules = {job.job_id: s for job, s in planned}
        self.states.configured = frozenset(wanted)
        # A job's schedule and its next run are saved together, so a reader (status, the
        # health page) never sees the new schedule beside the old next run.
        next_runs = self.next_runs() if self.scheduler.running else {}
        for job_id, s in self._schedules.items():
            if job_id in next_runs:
                self.states.save(job_id, schedule=describe(s), next_run_at=next_runs[job_id])
            else:
                self.states.save(job_id, schedule=describe(s))
        self.states.forget_except(wanted)

    def _restore_backoff(self) -> None:
        now = self.now()
        for job, state in self.states.load().items():
            if state.consecutive_failures and state.backoff_until and state.backoff_until > now:
                self.backoff.restore(job, state.consecutive_failures, state.backoff_until)
                log.info(
                    "%s: still backing off until %s after %d failures",
                    job,
                    state.backoff_until.isoformat(timespec="seconds"),
                    state.consecutive_failures,
                )

    def _restore_failures(self) -> None:
        # Failures in a row survive a restart (health and the gauge must not forget them).
        for job, state in self.states.load().items():
            if job in self._schedules and state.consecutive_failures:
                self.metrics.update(job, consecutive_failures=state.consecutive_failures)

    def _health_rules(self) -> HealthRules:
        now, configured = self.now(), self.schedule.max_lag
        bounds = {}
        for job, schedule in self._schedules.items():
            gap = period(schedule, now) or timedelta(days=1)
            bounds[job] = configured or max(3 * gap, DEFAULT_MIN_LAG)
        origin = "schedule.max_lag" if configured else "default: three intervals, at least 15m"
        return HealthRules(self.config.alerts.after_failures, bounds, origin)

    # --- reload -----------------------------------------------------------------------

    def reload(self) -> bool:
        """Load the configuration again; apply it only if valid. True when applied."""
        if self.reload_config is None:
            log.warning("reload asked, but this daemon was started without a config file")
            return False
        try:
            config = self.reload_config()
            if config.store.url != self.config.store.url:
                raise UsageError("store.url cannot change on a reload: restart the daemon")
            planned = self._plan(config)
        except Exception as exc:  # whatever the file holds, a reload never stops the daemon
            log.error("reload refused, keeping the running configuration: %s", _one_line(exc))
            log.debug("reload refused", exc_info=True)
            return False
        self.config = config
        self.schedule = config.schedule or ScheduleConfig()
        try:
            self._apply(planned)
        except Exception as exc:  # the store may be briefly unavailable
            log.error("reload not fully applied (send SIGHUP again): %s", _one_line(exc))
            return False
        log.info("configuration reloaded: %d jobs", len(planned))
        return True

    # --- lifecycle --------------------------------------------------------------------

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
        self.wake.set()

    def request_reload(self) -> None:
        """Ask for a reload (what SIGHUP does)."""
        self.reload_event.set()
        self.wake.set()

    def next_runs(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def _heartbeat(self) -> None:
        try:
            with self._schedule_lock:
                self.states.heartbeat(self.next_runs(), self.now())
        except Exception as exc:  # the store may be briefly unavailable
            log.warning("could not record the schedule: %s", exc)

    def _beat(self) -> None:
        while True:
            self._heartbeat()
            if self.stop_event.wait(self.schedule.heartbeat.total_seconds()):
                return

    def run(self, handle_signals: bool = True) -> int:
        signals = StopSignals(
            self.stop_event,
            reload=self.reload_event,
            wake=self.wake,
            watchdog_s=self.schedule.stop_timeout.total_seconds() + STOP_WATCHDOG_MARGIN_S,
        )
        if handle_signals:
            signals.install()
        try:
            self._close_dead_runs()
            self.scheduler.start()
            if self.health is not None:
                self.health.start()
                log.info("health on http://127.0.0.1:%d/healthz and /metrics", self.health.port)
            for job in self.scheduler.get_jobs():
                log.info("%s: next run at %s", job.id, job.next_run_time.isoformat())
            # The store's writes (a heartbeat can wait up to the busy timeout for a sync's
            # page) happen in their own thread: the main thread only waits here, so a signal
            # is handled the moment it arrives (Python runs handlers in the main thread,
            # between two of its steps, never inside a database call).
            beat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
            beat.start()
            while not self.stop_event.is_set():
                self.wake.wait(1.0)
                self.wake.clear()
                if self.reload_event.is_set() and not self.stop_event.is_set():
                    self.reload_event.clear()
                    self.reload()
            return self._shutdown(beat)
        finally:
            self.stop_event.set()  # the heartbeat's thread ends with the run, however it ends
            if self.health is not None:
                self.health.stop()
            if handle_signals:
                signals.restore()

    def _close_dead_runs(self) -> None:
        try:
            sweep_dead_runs(self.engine, self.now())
        except Exception as exc:  # bookkeeping must not keep the daemon from starting
            log.warning("could not close the runs of ended processes: %s", exc)

    def _shutdown(self, beat: threading.Thread) -> int:
        log.info("stopping: no new runs; waiting for the current pages to commit")
        self.scheduler.shutdown(wait=False)
        request_stop()  # a job waiting to retry a call stops now, not after the wait
        try:
            return self._wait_for_jobs(beat)
        finally:
            clear_stop()

    def _wait_for_jobs(self, beat: threading.Thread) -> int:
        deadline = time.monotonic() + self.schedule.stop_timeout.total_seconds()
        while time.monotonic() < deadline:
            if not any(m.running for m in self.metrics.snapshot().values()):
                beat.join(max(0.0, deadline - time.monotonic()))  # its last write first
                self._forget_next_runs()
                log.info("stopped cleanly")
                return 0
            time.sleep(0.05)
        busy = [name for name, m in self.metrics.snapshot().items() if m.running]
        log.warning("stop timeout: %s still running; exiting anyway", ", ".join(busy))
        return 1

    def _forget_next_runs(self) -> None:
        # A stopped daemon runs nothing next: status must not promise runs.
        try:
            self.states.forget_next_runs(list(self._schedules))
        except Exception as exc:
            log.warning("could not record the stop: %s", exc)


def _one_line(exc: BaseException) -> str:
    """The refusal's reason on one log line: every configuration problem, separated by
    ``; ``, or the unexpected error's type and message."""
    problems = getattr(exc, "problems", None)
    if isinstance(exc, CrmsyncError):
        text = "; ".join(problems) if problems else exc.user_message
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    return " ".join(text.split())


def config_file_loader(path: Path) -> ConfigLoader:
    """Reload from ``path`` with the same validation as start-up."""

    def load() -> CrmsyncConfig:
        from sync.config import load_config

        return load_config(path)

    return load
