"""The body of a source's scheduled job: lock, back-off, sync, report.

A stop request is honoured between pages: the engine calls ``progress`` after each page
and its cursor are committed, and raising ``StopRequested`` there (a ``BaseException``,
so the engine's per-stream ``except Exception`` lets it through) ends the run without
losing the page. It is honoured inside a page too when the connector is waiting (a
back-off, a server's ``Retry-After``, a bulk job): the wait raises ``StopWaiting``
(``connectors.core.stopping``) and the page is not written. Either way the run's rows are
then closed as stopped; the next run resumes from the committed cursor.
"""

from __future__ import annotations

import logging

from connectors.core.errors import ConnectorError
from connectors.core.stopping import StopWaiting
from sync.config.models import SourceConfig
from sync.daemon.dead_runs import close_dead_runs
from sync.daemon.job_base import JobContext, JobOutcome, ScheduledJob
from sync.pull import SyncOptions, sync_source
from sync.pull.runs import close_running_runs
from sync.sources import build_connector
from sync.store.pages import PageCounts

__all__ = ["SourceJob", "StopRequested"]

log = logging.getLogger("sync.daemon")

STOPPED_MESSAGE = "stopped by a shutdown signal; the next run resumes where this one stopped"


class StopRequested(BaseException):
    """Raised between pages when the daemon is asked to stop."""


class SourceJob(ScheduledJob):
    """One source's sync, run by the scheduler."""

    def __init__(self, context: JobContext, source: SourceConfig) -> None:
        super().__init__(context)
        self.source = source
        self.job_id = source.name
        self.lock_name = source.name  # the same lock `crmsync sync` takes

    def run_once(self) -> JobOutcome:
        name = self.source.name
        # Under the run lock: a run still marked running belongs to a process that ended
        # (a `crmsync sync` killed since the daemon started, say).
        close_dead_runs(self.ctx.engine, name, self.ctx.now())
        log.info("%s: sync started", name)
        try:
            connector = build_connector(self.source)
        except ConnectorError as exc:
            return JobOutcome("failed", exc.user_message)
        try:
            report = sync_source(
                self.ctx.engine, self.source, connector, SyncOptions(), self.ctx.now, self._on_page
            )
        except (StopRequested, StopWaiting):
            self._close_stopped_run()
            log.info("%s: %s", name, STOPPED_MESSAGE)
            return JobOutcome("stopped", STOPPED_MESSAGE)
        finally:
            self._count_usage(connector)
            connector.close()
        fetched = sum(s.counts.fetched for s in report.streams)
        if report.status == "succeeded":
            return JobOutcome("succeeded", records=fetched, detail=f"{fetched} records read")
        return JobOutcome("failed", f"{report.status}: {report.error}", records=fetched)

    def _on_page(self, _source: str, _stream: str, counts: PageCounts) -> None:
        if self.ctx.stop.is_set():
            raise StopRequested

    def _count_usage(self, connector: object) -> None:
        usage = getattr(connector, "api_usage", None)
        if usage is None:
            return
        current = usage()
        self.ctx.metrics.add(self.source.name, api_calls=current.calls)
        if current.limit is not None and current.used is not None:
            self.ctx.metrics.update(
                self.source.name, quota_remaining=max(0, current.limit - current.used)
            )

    def _close_stopped_run(self) -> None:
        # The engine did not get to close its run rows; the lock guarantees the only
        # running run of this source is ours.
        close_running_runs(
            self.ctx.engine, self.source.name, self.ctx.now(), "partial", "stopped", STOPPED_MESSAGE
        )
