"""The audit as a pipeline step: findings and scores as of the run's clock, then the
scores published for write-back (keys ``usage_score``, ``dq_score``, ``engagement_score``).

The pipeline runs it through ``sync.reports.step``, which adds the HTML report when the run
writes files."""

from __future__ import annotations

from sqlalchemy import Engine

from sync.audit.audits import AuditResult, default_identities, run_audit
from sync.audit.values import ScoreValue, score_values
from sync.config.links import custom_object_prefixes, source_links
from sync.config.models import CrmsyncConfig
from sync.step_contract import StepContext, StepReport

__all__ = ["audit_step", "run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    return audit_step(engine, config, context)[0]


def audit_step(
    engine: Engine, config: CrmsyncConfig, context: StepContext
) -> tuple[StepReport, AuditResult]:
    """The step, with the audit it made (the HTML report's leaderboard ends with it)."""
    kinds, bases = source_links(config)
    context.say("audit: checking rules and scoring usage")
    custom = custom_object_prefixes(config)
    result = run_audit(
        engine,
        config.audit,
        context.now,
        kinds=kinds,
        bases=bases,
        custom=custom,
        reads=context.reads,
    )
    published = _publish(engine, score_values(engine, default_identities(engine, context.reads)))
    scored = [s for s in result.scores if s.score is not None]
    summary: dict[str, object] = {
        "findings": len(result.findings),
        "employees scored": len(scored),
        "values published": published,
    }
    return StepReport("audit", "succeeded", summary), result


def _publish(engine: Engine, values: list[ScoreValue]) -> int:
    from sync.store.view.published import DesiredValue, publish

    rows = [DesiredValue(v.source, v.object, v.remote_id, v.key, v.value) for v in values]
    with engine.begin() as conn:
        return publish(conn, "audit", rows)
