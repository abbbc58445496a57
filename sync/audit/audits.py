"""Run the audit over the store and persist it; read the latest results back.

``run_audit`` is deterministic for a given store and ``as_of``: the same inputs give the
same findings and scores. Readers (``latest_usage_scores``, ``deal_dq_scores``,
``account_engagement_scores``) are what write-back and compensation call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from sync.audit.checks import Context
from sync.audit.creators import assign_creators
from sync.audit.employees import Directory
from sync.audit.findings import Finding, LinkBuilder
from sync.audit.pointintime import as_of_view
from sync.audit.quality import DqScore, Engagement, engagement_scores, record_dq_scores
from sync.audit.rules import run_rules
from sync.audit.scores import UsageScore, compute_scores, team_scores
from sync.audit.snapshot import Snapshot, load_snapshot
from sync.config.audit import AuditConfig
from sync.store.audit import (
    AccountEngagementRow,
    AuditFindingRow,
    AuditRunRow,
    RecordDqRow,
    UsageComponentRow,
    UsageScoreRow,
)
from sync.store.table_model import table_of
from sync.store.view.identity_map import IdentityLookup
from sync.store.view.reads import StoreReads, read_identities
from sync.store.view.usage import latest_usage_scores

__all__ = [
    "AuditResult",
    "account_engagement_scores",
    "audit_snapshot",
    "deal_dq_scores",
    "default_identities",
    "latest_findings",
    "latest_usage_scores",
    "run_audit",
    "without_custom_objects",
]

_CHUNK = 5000


# the record tables whose rows the rules check (activities are evidence, not checked rows)
_CHECKED_TABLES = ("leads", "contacts", "accounts", "deals", "cases")


@dataclass
class AuditResult:
    """Everything one audit produced."""

    as_of: datetime
    findings: list[Finding]
    scores: list[UsageScore]
    teams: list[UsageScore]
    dq: list[DqScore]
    engagement: list[Engagement]
    identities_used: bool
    run_id: int | None = None


def default_identities(engine: Engine, reads: StoreReads | None = None) -> IdentityLookup | None:
    """Reconcile's identity map when reconcile has run, else ``None`` (through ``reads``:
    the map a run's steps share)."""
    found = read_identities(engine, reads)
    return found if len(found) else None


def audit_snapshot(
    snapshot: Snapshot,
    config: AuditConfig,
    as_of: datetime,
    identities: IdentityLookup | None,
    links: LinkBuilder,
) -> AuditResult:
    """Rules, scores, DQ and engagement over a loaded snapshot (pure, no I/O), judged on
    the records as they stood at ``as_of``."""
    view = as_of_view(snapshot, as_of)
    assign_creators(view, config)
    ctx = Context(view, config, as_of)
    people = Directory(view, identities)
    findings = run_rules(ctx, people, links)
    scores = compute_scores(ctx, people, findings)
    return AuditResult(
        as_of=as_of,
        findings=findings,
        scores=scores,
        teams=team_scores(scores),
        dq=record_dq_scores(ctx),
        engagement=engagement_scores(ctx, people),
        identities_used=people.has_identities,
    )


def run_audit(
    engine: Engine,
    config: AuditConfig,
    as_of: datetime,
    *,
    kinds: dict[str, str] | None = None,
    bases: dict[str, str] | None = None,
    identities: IdentityLookup | Callable[[Engine], IdentityLookup | None] | None = (
        default_identities
    ),
    persist: bool = True,
    custom: Mapping[str, tuple[str, ...]] | None = None,
    reads: StoreReads | None = None,
) -> AuditResult:
    """Audit the store as of ``as_of`` and (by default) store the results. ``custom``
    names, per source, the remote-id prefixes of mapped custom objects: their records
    (an order mapped as a deal) are not the CRM's pipeline records the rules are about,
    so they are left out of the records checked (their activities still count). ``reads``:
    the rows and identity map a run's steps share."""
    if identities is default_identities:
        lookup = default_identities(engine, reads)
    else:
        lookup = identities(engine) if callable(identities) else identities
    snapshot = without_custom_objects(load_snapshot(engine, kinds, reads), custom or {})
    links = LinkBuilder(kinds or {}, bases or {}, config.record_links, config.hubspot_portal_id)
    result = audit_snapshot(snapshot, config, as_of, lookup, links)
    if persist:
        result.run_id = _save(engine, config, result)
    return result


def without_custom_objects(snapshot: Snapshot, custom: Mapping[str, tuple[str, ...]]) -> Snapshot:
    """``snapshot`` without the checked records whose remote id starts with one of their
    source's ``custom`` prefixes."""
    if not custom:
        return snapshot
    tables = dict(snapshot.tables)
    for name in _CHECKED_TABLES:
        tables[name] = [
            row
            for row in tables.get(name, [])
            if not row["remote_id"].startswith(custom.get(row["source"], ()))
        ]
    return replace(snapshot, tables=tables)


def _save(engine: Engine, config: AuditConfig, result: AuditResult) -> int:
    # Core bulk inserts: tens of thousands of rows at medium scale, ORM objects cost 5x.
    with engine.begin() as connection:
        key = connection.execute(
            insert(table_of(AuditRunRow)).values(
                as_of=result.as_of,
                window_days=config.window_days,
                findings=len(result.findings),
                employees=len(result.scores),
                identities_used=result.identities_used,
            )
        ).inserted_primary_key
        assert key is not None  # a one-row INSERT always has its key
        run_id = int(key[0])
        for model in (AuditFindingRow, RecordDqRow, AccountEngagementRow):
            connection.execute(delete(table_of(model)))
        scores_table = table_of(UsageScoreRow)
        connection.execute(delete(scores_table).where(scores_table.c.as_of == result.as_of))
        everyone = [*result.scores, *result.teams]
        batches: list[tuple[Any, list[dict[str, Any]]]] = [
            (AuditFindingRow, [{"run_id": run_id, **f.as_dict()} for f in result.findings]),
            (
                UsageScoreRow,
                [
                    {
                        "run_id": run_id,
                        "as_of": result.as_of,
                        "subject": s.subject,
                        "kind": s.kind,
                        "name": s.name,
                        "team": s.team,
                        "profile": s.profile,
                        "active": s.active,
                        "score": s.score,
                        "records": s.records,
                        "users": [list(u) for u in s.users],
                    }
                    for s in everyone
                ],
            ),
            (
                UsageComponentRow,
                [
                    {
                        "run_id": run_id,
                        "subject": s.subject,
                        "component": c.name,
                        "numerator": c.numerator,
                        "denominator": c.denominator,
                        "value": c.value,
                        "weight": c.weight,
                    }
                    for s in everyone
                    for c in s.components
                ],
            ),
            (
                RecordDqRow,
                [
                    {
                        "run_id": run_id,
                        "source": d.source,
                        "table_name": d.table,
                        "remote_id": d.remote_id,
                        "score": d.score,
                        "failed": list(d.failed),
                    }
                    for d in result.dq
                ],
            ),
            (
                AccountEngagementRow,
                [{"run_id": run_id, **e.__dict__} for e in result.engagement],
            ),
        ]
        for model, rows in batches:
            for start in range(0, len(rows), _CHUNK):
                connection.execute(insert(table_of(model)), rows[start : start + _CHUNK])
        return run_id


def latest_findings(
    engine: Engine, rule: str | None = None, employee: str | None = None
) -> list[Finding]:
    """Findings of the latest run, optionally one rule's or one employee's."""
    query = select(AuditFindingRow).order_by(
        col(AuditFindingRow.rule),
        col(AuditFindingRow.source),
        col(AuditFindingRow.object),
        col(AuditFindingRow.remote_id),
    )
    if rule:
        query = query.where(col(AuditFindingRow.rule) == rule)
    if employee:
        query = query.where(col(AuditFindingRow.employee) == employee)
    with Session(engine) as session:
        return [
            Finding(
                r.rule, r.source, r.object, r.remote_id, r.employee, r.user_id, r.message, r.link
            )
            for r in session.scalars(query)
        ]


def deal_dq_scores(engine: Engine) -> dict[tuple[str, str], Decimal]:
    """DQ score (0-100, 1 place) of every deal in the latest run, by (source, remote_id)."""
    query = select(RecordDqRow).where(col(RecordDqRow.table_name) == "deals")
    with Session(engine) as session:
        return {(r.source, r.remote_id): r.score for r in session.scalars(query)}


def account_engagement_scores(engine: Engine) -> dict[str, Decimal]:
    """Engagement score (0-100, 1 place) per account key (identity id or ``source:remote_id``)."""
    with Session(engine) as session:
        rows = session.scalars(select(AccountEngagementRow))
        return {r.account: r.score for r in rows}
