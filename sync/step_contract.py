"""What every step of ``crmsync run`` is: a function ``(engine, config, context) -> report``.

The stages (reconcile, audit, compute, push) and the statements step implement it; the
pipeline, the daemon and the workers call it. It sits below all of them, so a stage
depends on the contract, never on the orchestration that runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.store.view.reads import StoreReads

__all__ = ["StepContext", "StepFunction", "StepReport"]


@dataclass(frozen=True)
class StepContext:
    """What a run hands every step: the clock reading and the run's options."""

    now: datetime
    period: str | None = None  # e.g. "2026-10"; None: the period that contains ``now``
    dry_run: bool = False
    out_dir: Path | None = None  # where a step writes files (reports, statement previews)
    progress: Callable[[str], None] | None = None  # one-line progress messages
    # the store's rows and identity map, read once for all the steps of this run
    reads: StoreReads = field(default_factory=StoreReads, compare=False, repr=False)

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


@dataclass(frozen=True)
class StepReport:
    """What one run of a step did: ``summary`` holds its headline figures."""

    step: str
    status: Literal["succeeded", "failed", "skipped"]
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


StepFunction = Callable[[Engine, CrmsyncConfig, StepContext], StepReport]
