"""Build the reports (channels, pipeline, service, usage, pay) from the store, for the CLI, the
audit step and the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from sync.config.links import source_links
from sync.config.models import CrmsyncConfig
from sync.store.view.reads import StoreReads

if TYPE_CHECKING:
    from sync.audit.audits import AuditResult

__all__ = ["REPORT_KINDS", "build_reports", "source_links"]

REPORT_KINDS = ("channels", "pipeline", "service", "usage", "pay")


def build_reports(
    cfg: CrmsyncConfig,
    engine: Engine,
    when: datetime,
    kind: str = "all",
    reads: StoreReads | None = None,
    audited: AuditResult | None = None,
) -> list[dict[str, Any]]:
    """The report(s) ``kind`` (one of REPORT_KINDS, or ``all``) as of ``when``; through
    ``reads``, the rows and identity map a run's steps share; ``audited``, the audit its
    run made of the same store as of ``when`` (the leaderboard's last point)."""
    from sync.audit.snapshot import load_snapshot
    from sync.reports import figures

    kinds, _ = source_links(cfg)
    reports: list[dict[str, Any]] = []
    snapshot = load_snapshot(engine, kinds, reads)
    if kind in ("channels", "all"):
        reports.append(
            figures.channel_report(snapshot, cfg.audit.lead_objects, cfg.audit.non_lead_stages)
        )
    if kind in ("pipeline", "all"):
        reports.append(figures.pipeline_report(snapshot, when))
    if kind in ("service", "all"):
        reports.append(figures.service_report(snapshot, when, cfg.audit.case_sla_hours))
    if kind in ("usage", "all"):
        reports.append(_usage(cfg, engine, snapshot, when, reads, audited))
    if kind in ("pay", "all"):
        from sync.reports.pay import pay_report

        reports.append(pay_report(engine))
    return reports


def _usage(
    cfg: CrmsyncConfig,
    engine: Engine,
    snapshot: Any,
    as_of: datetime,
    reads: StoreReads | None,
    audited: AuditResult | None,
) -> dict[str, Any]:
    """The leaderboard at ``as_of`` with each employee's scores 3, 2 and 1 weeks before:
    the audit's scores, on the records the audit checks (mapped custom objects left out,
    as ``run_audit`` leaves them out of the scores it stores and publishes)."""
    from sync.audit.audits import audit_snapshot, default_identities, without_custom_objects
    from sync.audit.findings import LinkBuilder
    from sync.config.links import custom_object_prefixes
    from sync.reports import figures

    snapshot = without_custom_objects(snapshot, custom_object_prefixes(cfg))
    kinds, bases = source_links(cfg)
    links = LinkBuilder(kinds, bases, cfg.audit.record_links, cfg.audit.hubspot_portal_id)
    identities = default_identities(engine, reads)
    points = [as_of - timedelta(weeks=w) for w in (3, 2, 1, 0)]
    series: dict[str, list[Decimal | None]] = {}
    for i, at in enumerate(points):
        if audited is not None and audited.as_of == at:
            result = audited  # the same audit of the same records: not made twice
        else:
            result = audit_snapshot(snapshot, cfg.audit, at, identities, links)
        for s in result.scores:
            series.setdefault(s.subject, [None] * len(points))[i] = s.score
    return figures.usage_report(result, series)
