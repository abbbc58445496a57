"""The audit step as the pipeline runs it: the audit (``sync.audit.step``), then, when the
run writes files (``crmsync run --out``, the demo), the HTML report of every report on one
page beside them.

The report lives here rather than in the audit step because its figures read the audit's
results: the audit stage never imports the reports, so the two form no import cycle.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import Engine

from sync.audit.audits import AuditResult
from sync.audit.step import audit_step
from sync.config.models import CrmsyncConfig
from sync.reports.build import build_reports
from sync.reports.render import render_html
from sync.step_contract import StepContext, StepReport

__all__ = ["run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    report, audited = audit_step(engine, config, context)
    if context.out_dir is None:
        return report
    summary = {**report.summary, "report": str(_write_report(engine, config, context, audited))}
    return dataclasses.replace(report, summary=summary)


def _write_report(
    engine: Engine, config: CrmsyncConfig, context: StepContext, audited: AuditResult
) -> Path:
    """The self-contained HTML report (every report on one page) in ``out_dir``; its
    leaderboard's scores as of now are those of the audit just made."""
    assert context.out_dir is not None
    context.say("audit: writing the HTML report")
    path = context.out_dir / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    reports = build_reports(config, engine, context.now, reads=context.reads, audited=audited)
    path.write_text(render_html(reports, f"as of {context.now.isoformat()}"), encoding="utf-8")
    return path
