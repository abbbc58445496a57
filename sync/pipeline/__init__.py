"""The steps after sync (reconcile, audit, compute, push, statements), run in this order by
``crmsync run`` and on their own schedules by ``crmsync daemon``.

The configuration models read the step names, so this ``__init__`` stays light and loads
the step machinery lazily.
"""

from __future__ import annotations

from typing import Any

from sync.config.steps import STEP_NAMES

__all__ = ["STEP_NAMES", "StepContext", "StepFunction", "StepReport", "load_step"]


def __getattr__(name: str) -> Any:
    if name in ("StepContext", "StepFunction", "StepReport", "load_step"):
        from sync.pipeline import steps

        return getattr(steps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
