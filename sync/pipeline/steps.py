"""A step is a function ``(engine, config, context) -> StepReport`` (the contract is
``sync.step_contract``, re-exported here), found by name.

Steps are loaded lazily from their packages, so a command that only syncs never imports
reconciliation or the plan calculation.
"""

from __future__ import annotations

from importlib import import_module

from sync.config.steps import STEP_NAMES
from sync.errors import OperationFailed, UsageError
from sync.step_contract import StepContext, StepFunction, StepReport

__all__ = ["StepContext", "StepFunction", "StepReport", "load_step"]


_TARGETS = {
    "reconcile": "sync.reconcile.step:run_step",
    "audit": "sync.reports.step:run_step",  # the audit, then its HTML report
    "compute": "sync.compute.step:run_step",
    "push": "sync.push.step:run_step",
    "statements": "sync.pipeline.statements:run_step",  # compute builds, mail sends
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
