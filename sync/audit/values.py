"""The latest audit's scores as per-record values, for write-back and compensation.

Nothing here writes to a CRM: the write-back step decides what to publish. Keys match the
example ``push:`` targets: ``usage_score`` on every CRM user of an employee,
``dq_score`` on deals, ``engagement_score`` on every account record of a customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine

from sync.audit.audits import (
    account_engagement_scores,
    deal_dq_scores,
    default_identities,
    latest_usage_scores,
)

__all__ = ["ScoreValue", "score_values"]


@dataclass(frozen=True)
class ScoreValue:
    """One score on one CRM record (``object`` is the store table)."""

    source: str
    object: str
    remote_id: str
    key: str
    value: Decimal


def score_values(engine: Engine, identities: object | None = None) -> list[ScoreValue]:
    """Usage, DQ and engagement scores of the latest run, one per CRM record, sorted: each
    the audit's exact figure (1 place), no float on its way to the CRMs."""
    lookup = identities if identities is not None else default_identities(engine)
    values: list[ScoreValue] = []
    for score in latest_usage_scores(engine).values():
        if score.kind != "employee" or score.score is None:
            continue
        for source, user_id in score.users:
            values.append(ScoreValue(source, "users", user_id, "usage_score", score.score))
    for (source, remote_id), dq in deal_dq_scores(engine).items():
        values.append(ScoreValue(source, "deals", remote_id, "dq_score", dq))
    for account, engagement in account_engagement_scores(engine).items():
        members = getattr(lookup, "members", None)
        records = [m for m in members(account) if m[1] == "accounts"] if members else []
        if not records and ":" in account:
            source, _, remote_id = account.partition(":")
            records = [(source, "accounts", remote_id)]
        for source, _, remote_id in records:
            values.append(ScoreValue(source, "accounts", remote_id, "engagement_score", engagement))
    return sorted(values, key=lambda v: (v.key, v.source, v.object, v.remote_id))
