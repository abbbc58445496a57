"""Compute: from the store to credited deals, plan results and write-back values.

``build_evidence`` turns store rows into each deal's acts across CRMs; ``run_plans``
credits the deals and runs the plan calculation for a period, storing the result;
``close``/``explain``/``what_if``/``adjust`` serve ``crmsync plan``; ``run_step`` is the
``compute`` step of ``crmsync run``. Names load on first use so that reading the
configuration (which needs only ``CompensationConfig``) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sync.config.compensation import CompensationConfig

__all__ = [
    "CompensationConfig",
    "Evidence",
    "PlanRun",
    "adjust",
    "build_evidence",
    "close",
    "explain",
    "run_plans",
    "run_step",
    "statements_for_period",
    "what_if",
]

_HOME = {
    "Evidence": "sync.compute.evidence",
    "build_evidence": "sync.compute.evidence",
    "PlanRun": "sync.compute.periods",
    "adjust": "sync.compute.periods",
    "close": "sync.compute.periods",
    "explain": "sync.compute.periods",
    "run_plans": "sync.compute.periods",
    "what_if": "sync.compute.periods",
    "run_step": "sync.compute.step",
    "statements_for_period": "sync.compute.statements",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'sync.compute' has no attribute {name!r}")
