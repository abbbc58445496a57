"""The audit as a pipeline step: findings and scores as of the run's clock, then the
scores published for write-back (keys ``usage_score``, ``dq_score``, ``engagement_score``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from sync.audit.runner import run_audit
from sync.audit.values import ScoreValue, score_values
from sync.config.models import CrmsyncConfig
from sync.pipeline.steps import StepContext, StepReport

__all__ = ["run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    from sync.reports.build import source_links

    kinds, bases = source_links(config)
    context.say("audit: checking rules and scoring usage")
    result = run_audit(engine, config.audit, context.now, kinds=kinds, bases=bases)
    published = _publish(engine, score_values(engine))
    scored = [s for s in result.scores if s.score is not None]
    summary: dict[str, object] = {
        "findings": len(result.findings),
        "employees scored": len(scored),
        "values published": published,
    }
    if context.out_dir is not None:
        summary["report"] = str(_write_report(engine, config, context))
    return StepReport("audit", "succeeded", summary)


def _write_report(engine: Engine, config: CrmsyncConfig, context: StepContext) -> Path:
    """The self-contained HTML report (every report on one page) in ``out_dir``."""
    from sync.reports.build import build_reports
    from sync.reports.render import render_html

    assert context.out_dir is not None
    context.say("audit: writing the HTML report")
    path = context.out_dir / "report.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    reports = build_reports(config, engine, context.now)
    path.write_text(render_html(reports, f"as of {context.now.isoformat()}"), encoding="utf-8")
    return path


def _publish(engine: Engine, values: list[ScoreValue]) -> int:
    from sync.push.values import DesiredValue, publish

    rows = [DesiredValue(v.source, v.object, v.remote_id, v.key, v.value) for v in values]
    with engine.begin() as conn:
        return publish(conn, "audit", rows)
