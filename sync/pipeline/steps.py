"""A step is a function ``(engine, config, context) -> StepReport``, found by name.

Steps are loaded lazily from their packages, so a command that only syncs never imports
reconciliation or the plan engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.config.steps import STEP_NAMES
from sync.errors import OperationFailed, UsageError

__all__ = ["StepContext", "StepFunction", "StepReport", "load_step"]


@dataclass(frozen=True)
class StepContext:
    """What a run hands every step: the clock reading and the run's options."""

    now: datetime
    period: str | None = None  # e.g. "2026-10"; None: the period that contains ``now``
    dry_run: bool = False
    out_dir: Path | None = None  # where a step writes files (reports, statement previews)
    progress: Callable[[str], None] | None = None  # one-line progress messages

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

_TARGETS = {
    "reconcile": "sync.reconcile.step:run_step",
    "audit": "sync.reports.step:run_step",  # the audit, then its HTML report
    "compute": "sync.compute.step:run_step",
    "push": "sync.push.step:run_step",
    "statements": "sync.mail.step:run_step",
}


def load_step(name: str) -> StepFunction:
    """The function of step ``name``; a clear error for unknown or missing steps."""
    if name not in STEP_NAMES:
        raise UsageError(f"unknown step {name!r}; steps are {', '.join(STEP_NAMES)}")
    module_name, _, attribute = _TARGETS[name].partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        raise OperationFailed(
            f"step {name!r} is not available in this installation ({exc.name} is missing)"
        ) from exc
    function: StepFunction = getattr(module, attribute)
    return function
