"""The ``statements`` step of ``crmsync run`` and the daemon: compute builds the period's
statements from the stored plan results, mail queues and sends them. It joins the two, so
it lives with the orchestration rather than in either (no stage imports another).

Statements of a closed period are final: they are queued in the outbox (each version once)
and, with ``statements.deliver``, sent. The open period's numbers still move, so its
statements are only written as previews (when the run has an output folder) — employees
are never mailed provisional figures by a scheduled job.
"""

from __future__ import annotations

from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.errors import CrmsyncError
from sync.step_contract import StepContext, StepReport

__all__ = ["run_step"]


def run_step(engine: Engine, config: CrmsyncConfig, context: StepContext) -> StepReport:
    from sync.compute.history import closed_periods
    from sync.compute.statements import statements_for_period
    from sync.compute.step import open_period
    from sync.mail.service import queue_statements, write_previews

    closed = [c.result.period for c in closed_periods(engine)]
    period = context.period or (closed[-1] if closed else open_period(config, context).key)
    final = period in closed
    try:
        statements = statements_for_period(engine, config, period, context.reads)
    except CrmsyncError as exc:
        return StepReport("statements", "skipped", {"period": period}, exc.user_message)
    summary: dict[str, object] = {"period": period, "final": final, "statements": len(statements)}
    if context.out_dir is not None:
        folder = context.out_dir / "statements"
        context.say(f"statements: writing {len(statements)} previews")
        write_previews(statements, config, folder)
        summary["previews"] = str(folder)
    if not final or context.dry_run:
        return StepReport("statements", "succeeded", summary)
    report = queue_statements(engine, statements, config, context.now)
    summary.update(queued=report.queued, unchanged=report.unchanged, refused=len(report.refused))
    if config.statements.deliver:
        summary.update(_deliver(engine, config, context, period))
    return StepReport("statements", "succeeded", summary)


def _deliver(
    engine: Engine, config: CrmsyncConfig, context: StepContext, period: str
) -> dict[str, object]:
    from sync.mail.sender import deliver
    from sync.mail.smtp import SmtpTransport

    context.say("statements: sending")
    sent = deliver(engine, SmtpTransport(config.email), config.email, lambda: context.now, period)
    return {"sent": sent.sent, "failed": sent.failed, "bounced": sent.bounced}
