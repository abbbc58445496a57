"""The body of a source's scheduled job: lock, back-off, sync, report.

A stop request is honoured between pages: the engine calls ``progress`` after each page
and its cursor are committed, and raising ``StopRequested`` there (a ``BaseException``,
so the engine's per-stream ``except Exception`` lets it through) ends the run without
losing the page. The run's rows are then closed as stopped; the next run resumes from
the committed cursor.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, update

from connectors.core.errors import ConnectorError
from sync.config.models import SourceConfig
from sync.daemon.backoff import Backoff
from sync.daemon.locks import run_lock
from sync.daemon.metrics import DaemonMetrics
from sync.engine import SourceReport, SyncOptions, sync_source
from sync.sources import build_connector
from sync.store.bookkeeping import RunRow, RunStreamRow
from sync.store.pages import PageCounts

__all__ = ["SourceJob", "StopRequested"]

log = logging.getLogger("sync.daemon")

STOPPED_MESSAGE = "stopped by a shutdown signal; the next run resumes where this one stopped"


class StopRequested(BaseException):
    """Raised between pages when the daemon is asked to stop."""


class SourceJob:
    """Callable run by the scheduler for one source."""

    def __init__(
        self,
        engine: Engine,
        source: SourceConfig,
        metrics: DaemonMetrics,
        backoff: Backoff,
        stop: threading.Event,
        now: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.source = source
        self.metrics = metrics
        self.backoff = backoff
        self.stop = stop
        self.now = now

    def __call__(self) -> None:
        name = self.source.name
        if self.stop.is_set():
            return
        until = self.backoff.waiting(name, self.now())
        if until is not None:
            self.metrics.add(name, skipped=1)
            log.info("%s: backing off until %s", name, until.isoformat(timespec="seconds"))
            return
        lock = run_lock(self.engine, name)
        if not lock.try_acquire():
            holder = lock.holder()
            self.metrics.add(name, skipped=1)
            who = holder.describe() if holder else "another process"
            log.info("%s: skipped, already being synced by %s", name, who)
            return
        self.metrics.update(name, running=True)
        try:
            self._run()
        finally:
            self.metrics.update(name, running=False)
            lock.release()

    def _run(self) -> None:
        name = self.source.name
        self.metrics.add(name, runs=1)
        log.info("%s: sync started", name)
        try:
            connector = build_connector(self.source)
        except ConnectorError as exc:
            self._failed(exc.user_message)
            return
        try:
            report = sync_source(
                self.engine, self.source, connector, SyncOptions(), self.now, self._on_page
            )
        except StopRequested:
            self._close_stopped_run()
            log.info("%s: %s", name, STOPPED_MESSAGE)
            return
        except Exception as exc:  # a bug in one source must not stop the daemon
            log.exception("%s: sync crashed", name)
            self._failed(f"internal error: {exc!r}")
            return
        finally:
            self._count_usage(connector)
            connector.close()
        self._finished(report)

    def _on_page(self, _source: str, _stream: str, counts: PageCounts) -> None:
        if self.stop.is_set():
            raise StopRequested

    def _count_usage(self, connector: object) -> None:
        usage = getattr(connector, "api_usage", None)
        if usage is not None:
            self.metrics.add(self.source.name, api_calls=usage().calls)

    def _finished(self, report: SourceReport) -> None:
        name = self.source.name
        fetched = sum(s.counts.fetched for s in report.streams)
        self.metrics.add(name, records=fetched)
        if report.status == "succeeded":
            self.backoff.succeeded(name)
            self.metrics.update(name, consecutive_failures=0, last_success=self.now())
            log.info("%s: sync succeeded, %d records read (run %s)", name, fetched, report.run_id)
        else:
            self._failed(f"{report.status}: {report.error}")

    def _failed(self, error: str) -> None:
        name = self.source.name
        state = self.backoff.failed(name, self.now(), error)
        self.metrics.add(name, failures=1)
        self.metrics.update(name, consecutive_failures=state.failures)
        assert state.until is not None
        log.warning(
            "%s: sync failed (%d in a row), next try not before %s: %s",
            name,
            state.failures,
            state.until.isoformat(timespec="seconds"),
            error,
        )

    def _close_stopped_run(self) -> None:
        # The engine did not get to close its run rows; the lock guarantees the only
        # running run of this source is ours.
        runs = RunRow.__table__  # type: ignore[attr-defined]
        streams = RunStreamRow.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as conn:
            run_ids = [
                row[0]
                for row in conn.execute(
                    runs.select()
                    .with_only_columns(runs.c.id)
                    .where(runs.c.source == self.source.name, runs.c.status == "running")
                )
            ]
            if not run_ids:
                return
            conn.execute(
                update(streams)
                .where(streams.c.run_id.in_(run_ids), streams.c.status == "running")
                .values(status="stopped", error=STOPPED_MESSAGE)
            )
            conn.execute(
                update(runs)
                .where(runs.c.id.in_(run_ids))
                .values(status="partial", finished_at=self.now(), error=STOPPED_MESSAGE)
            )
