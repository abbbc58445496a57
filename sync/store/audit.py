"""Store tables of the audit: runs, findings, usage scores with components, record DQ
scores and account engagement. Written by ``sync.audit.run_audit``; the latest run's rows
replace the previous ones except ``audit_runs`` and ``usage_scores`` (kept for trends).

Usage scores, component values and weights, record DQ scores and engagement scores are
``Decimal``, kept as their exact text (``DecimalText``, as money is).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sync.store.types import DecimalText, JsonDoc, UtcDateTime

__all__ = [
    "AccountEngagementRow",
    "AuditFindingRow",
    "AuditRunRow",
    "RecordDqRow",
    "UsageComponentRow",
    "UsageScoreRow",
]


class AuditRunRow(SQLModel, table=True):
    __tablename__ = "audit_runs"
    id: int | None = Field(default=None, primary_key=True)
    as_of: datetime = Field(sa_type=UtcDateTime, index=True)
    window_days: int
    findings: int
    employees: int
    identities_used: bool = False


class AuditFindingRow(SQLModel, table=True):
    __tablename__ = "audit_findings"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    rule: str = Field(max_length=40, index=True)
    source: str = Field(max_length=40)
    object: str = Field(max_length=40)
    remote_id: str = Field(max_length=64)
    employee: str | None = Field(default=None, max_length=120, index=True)
    user_id: str | None = Field(default=None, max_length=64)
    message: str
    link: str


class UsageScoreRow(SQLModel, table=True):
    __tablename__ = "usage_scores"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    as_of: datetime = Field(sa_type=UtcDateTime)
    subject: str = Field(max_length=120, index=True)
    kind: str = Field(max_length=16)
    name: str
    team: str = Field(max_length=80)
    profile: str = Field(max_length=40)
    active: bool = True
    score: Decimal | None = Field(default=None, sa_type=DecimalText)
    records: int = 0
    users: list[Any] = Field(default_factory=list, sa_column=Column(JsonDoc, nullable=False))


class UsageComponentRow(SQLModel, table=True):
    __tablename__ = "usage_components"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    subject: str = Field(max_length=120, index=True)
    component: str = Field(max_length=40)
    numerator: int
    denominator: int
    value: Decimal | None = Field(default=None, sa_type=DecimalText)
    weight: Decimal = Field(sa_type=DecimalText)


class RecordDqRow(SQLModel, table=True):
    __tablename__ = "record_dq_scores"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    source: str = Field(max_length=40)
    table_name: str = Field(max_length=16)
    remote_id: str = Field(max_length=64, index=True)
    score: Decimal = Field(sa_type=DecimalText)
    failed: list[Any] = Field(default_factory=list, sa_column=Column(JsonDoc, nullable=False))


class AccountEngagementRow(SQLModel, table=True):
    __tablename__ = "account_engagement"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    account: str = Field(max_length=120, index=True)
    name: str | None = None
    score: Decimal = Field(sa_type=DecimalText)
    touches: int
    channels: int
    last_touch_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
