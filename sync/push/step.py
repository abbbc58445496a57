"""The ``push`` step of ``crmsync run`` and the daemon."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from sync.clock import utc_now
from sync.config.models import CrmsyncConfig
from sync.push.write_back import push
from sync.step_contract import StepContext, StepReport

__all__ = ["run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    """Push the published values; ``skipped`` when no targets are configured."""
    if not config.push.targets:
        return StepReport("push", "skipped", {"reason": "no push targets configured"})
    report = push(engine, config, utc_now, dry_run=context.dry_run, progress=context.say)
    counts = report.plan.counts()
    summary: dict[str, Any] = {
        "run_id": report.run_id,
        "records_to_write": counts.get("records_to_write", 0),
        "written": sum(s.written for s in report.sources),
        "failed": sum(s.failed for s in report.sources),
        "conflicts": counts.get("conflicts", 0),
        "write_calls": sum(s.write_calls for s in report.sources),
    }
    unwritable = {
        f"{p.source} {p.object}: {why}": len(ids)
        for p in report.plan.objects
        for why, ids in sorted(p.unwritable.items())
    }
    if unwritable:  # records the CRM cannot write: said once, not failed
        summary["unwritable"] = unwritable
    if report.ok:
        return StepReport("push", "succeeded", summary)
    problems = "; ".join(
        f"{s.source}: {s.status}" + (f" ({s.error})" if s.error else "")
        for s in report.sources
        if s.status != "succeeded"
    )
    return StepReport("push", "failed", summary, error=problems)
