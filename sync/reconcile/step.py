"""The ``reconcile`` step of ``crmsync run`` and the daemon: an automatic (incremental once a
full run exists) reconciliation."""

from __future__ import annotations

from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.reconcile.reconciling import reconcile
from sync.reconcile.stitching import stitch
from sync.step_contract import StepContext, StepReport

__all__ = ["run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    """Reconcile what changed since the last run (everything the first time)."""
    if context.dry_run:
        return StepReport("reconcile", "skipped", {"reason": "dry run: nothing is written"})
    report = reconcile(engine, config.reconcile, context.now, "auto", progress=context.say)
    stitched = stitch(engine, context.now, report.run_id)
    summary = {
        "mode": report.mode,
        "run_id": report.run_id,
        **{f"{kind}_records": stats.get("records", 0) for kind, stats in report.kinds.items()},
        **{
            f"{kind}_identities": stats.get("identities", 0) for kind, stats in report.kinds.items()
        },
        "stitching": stitched.mode,
        "events_stitched": stitched.events,
        "anonymous_ids_linked": stitched.linked,
        "anonymous_ids_shared": stitched.shared,
    }
    return StepReport("reconcile", "succeeded", summary)
