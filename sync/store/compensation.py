"""Store tables of the plan calculation: runs, per-employee results, lines, closed periods,
manual adjustments.

A run of a period stores its input hash and plan versions, one result per employee (the
engine's canonical JSON, byte for byte) and one row per payable or withheld line with key
columns for queries. The latest stored run of a period is its current result; closing a
period freezes that result in ``compensation_periods`` (never rewritten). Manual
adjustments are audited records (who, when, why) that every run reads. The managers the
directory gave each employee are kept as observed, one row per change
(``compensation_managers``), so roll-ups of past deals follow who managed whom then.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import DecimalText, UtcDateTime

__all__ = [
    "CompensationAdjustmentRow",
    "CompensationLineRow",
    "CompensationManagerRow",
    "CompensationPeriodRow",
    "CompensationResultRow",
    "CompensationRunRow",
]


class CompensationRunRow(SQLModel, table=True):
    """One stored run of a period: what it read (input hash, plan versions) and produced."""

    __tablename__ = "compensation_runs"
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=16, index=True)
    input_hash: str = Field(max_length=64)
    result_hash: str = Field(max_length=64)
    plan_versions: str  # "call_centre@1,field_sales@2": every version in force
    as_of: date | None = None
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime = Field(sa_type=UtcDateTime)
    employees: int = 0
    deals: int = 0
    credits: int = 0
    warnings: str = ""
    result: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # canonical JSON


class CompensationResultRow(SQLModel, table=True):
    """One employee's result of one run, as the engine's canonical JSON."""

    __tablename__ = "compensation_results"
    __table_args__ = (UniqueConstraint("run_id", "employee", name="uq_compensation_results"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    period: str = Field(max_length=16)
    employee: str = Field(max_length=120, index=True)
    plan: str = Field(max_length=80)
    plan_version: int
    currency: str = Field(max_length=3)
    total: Decimal = Field(sa_type=DecimalText)
    result_hash: str = Field(max_length=64)
    result: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CompensationLineRow(SQLModel, table=True):
    """A payable (``status`` payable) or withheld line of one employee in one run."""

    __tablename__ = "compensation_lines"
    __table_args__ = (Index("ix_compensation_lines_deal", "run_id", "deal"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    period: str = Field(max_length=16)
    employee: str = Field(max_length=120)
    status: str = Field(max_length=10)
    key: str = Field(max_length=400)
    kind: str = Field(max_length=24)
    component: str = Field(max_length=80)
    deal: str | None = Field(default=None, max_length=160)
    pool: str | None = Field(default=None, max_length=40)
    slot: str | None = Field(default=None, max_length=80)
    amount: Decimal = Field(sa_type=DecimalText)
    currency: str = Field(max_length=3)
    line: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CompensationPeriodRow(SQLModel, table=True):
    """A closed period: its result as paid, frozen."""

    __tablename__ = "compensation_periods"
    period: str = Field(primary_key=True, max_length=16)
    run_id: int
    closed_on: date
    closed_at: datetime = Field(sa_type=UtcDateTime)
    closed_by: str = Field(max_length=120)
    input_hash: str = Field(max_length=64)
    result: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CompensationAdjustmentRow(SQLModel, table=True):
    """A manual adjustment: who entered it, when and why. Runs never change it."""

    __tablename__ = "compensation_adjustments"
    id: int | None = Field(default=None, primary_key=True)
    employee: str = Field(max_length=120, index=True)
    period: str = Field(max_length=16)
    amount: Decimal = Field(sa_type=DecimalText)
    currency: str = Field(max_length=3)
    reason: str
    entered_by: str = Field(max_length=120)
    entered_at: datetime = Field(sa_type=UtcDateTime)


class CompensationManagerRow(SQLModel, table=True):
    """``employee``'s manager (None: nobody) as observed from ``since`` (the first day a
    run saw it) until the employee's next row."""

    __tablename__ = "compensation_managers"
    __table_args__ = (UniqueConstraint("employee", "since", name="uq_compensation_managers"),)
    id: int | None = Field(default=None, primary_key=True)
    employee: str = Field(max_length=120, index=True)
    manager: str | None = Field(default=None, max_length=120)
    since: date
    observed_at: datetime = Field(sa_type=UtcDateTime)
