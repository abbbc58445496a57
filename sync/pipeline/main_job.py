"""The main job: sync every source, then each later step in order.

A failure does not stop the job: each source and step reports its own outcome, the steps
after a failed one still run on what the store holds, and the summary says what failed
and what was skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from connectors.core.errors import ConnectorError
from sync.config.models import CrmsyncConfig
from sync.config.steps import STEP_NAMES
from sync.errors import CrmsyncError
from sync.locks import acquire_run_lock, holder_name, run_lock
from sync.pipeline.steps import StepContext, StepReport, load_step
from sync.pull import SourceReport, SyncOptions, sync_source
from sync.sources import build_connector
from sync.store.pages import PageCounts

__all__ = ["MainJobResult", "run_main_job", "run_steps", "sync_sources"]

log = logging.getLogger("sync.pipeline")

PageProgress = Callable[[str, str, PageCounts], None]


@dataclass
class MainJobResult:
    sync: list[SourceReport] = field(default_factory=list)
    sync_problems: list[StepReport] = field(default_factory=list)  # sources that could not run
    steps: list[StepReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            all(r.status == "succeeded" for r in self.sync)
            and all(p.status != "failed" for p in self.sync_problems)
            and all(s.status != "failed" for s in self.steps)
        )


def sync_sources(
    engine: Engine,
    config: CrmsyncConfig,
    now: Callable[[], datetime],
    on_page: PageProgress | None = None,
    wait_lock: float = 0.0,
    options: SyncOptions | None = None,
) -> tuple[list[SourceReport], list[StepReport]]:
    """Sync every enabled source under its run lock; problems are returned, not raised."""
    reports: list[SourceReport] = []
    problems: list[StepReport] = []
    for source in (s for s in config.sources if s.enabled):
        lock = run_lock(engine, source.name)
        if not acquire_run_lock(lock, wait_lock):
            who = holder_name(lock)
            problems.append(
                StepReport(f"sync {source.name}", "skipped", error=f"being synced by {who}")
            )
            continue
        try:
            connector = build_connector(source)
        except ConnectorError as exc:
            lock.release()
            problems.append(StepReport(f"sync {source.name}", "failed", error=exc.user_message))
            continue
        try:
            reports.append(
                sync_source(engine, source, connector, options or SyncOptions(), now, on_page)
            )
        finally:
            connector.close()
            lock.release()
    return reports, problems


def run_steps(
    engine: Engine,
    config: CrmsyncConfig,
    context: StepContext,
    steps: Sequence[str] = STEP_NAMES,
) -> list[StepReport]:
    """Run ``steps`` in order, each under its own lock; a failure does not stop the rest."""
    reports = []
    for name in steps:
        try:
            function = load_step(name)
        except CrmsyncError as exc:
            reports.append(StepReport(name, "skipped", error=exc.user_message))
            continue
        lock = run_lock(engine, f"step-{name}")
        if not lock.try_acquire():
            who = holder_name(lock)
            reports.append(StepReport(name, "skipped", error=f"already running in {who}"))
            continue
        context.say(f"{name}: running")
        try:
            reports.append(function(engine, config, context))
        except CrmsyncError as exc:
            reports.append(StepReport(name, "failed", error=exc.user_message))
        except Exception as exc:  # one step's bug must not hide the others' results
            log.exception("step %s crashed", name)
            reports.append(StepReport(name, "failed", error=f"internal error: {exc!r}"))
        finally:
            lock.release()
    return reports


def run_main_job(
    engine: Engine,
    config: CrmsyncConfig,
    context: StepContext,
    now: Callable[[], datetime],
    on_page: PageProgress | None = None,
    steps: Sequence[str] = STEP_NAMES,
    wait_lock: float = 0.0,
) -> MainJobResult:
    result = MainJobResult()
    result.sync, result.sync_problems = sync_sources(engine, config, now, on_page, wait_lock)
    result.steps = run_steps(engine, config, context, steps)
    return result
