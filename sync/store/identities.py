"""Store tables of reconciliation: identities, their members, scored pairs, admin decisions.

Golden records are an overlay: source records are never changed. ``identity_members`` is the
crosswalk (one row per source record that belongs to an identity), ``identities`` holds the
golden values with their provenance, ``reconcile_pairs`` the explained comparisons that
matched or fell in the review band, ``reconcile_decisions`` the admin's link/unlink
decisions that every re-run applies, ``reconcile_runs`` the run history and watermark for
incremental runs, ``reconcile_models`` the trained matcher weights (the newest per kind
scores). Record keys are ``source:table:remote_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import JsonDoc, UtcDateTime

__all__ = [
    "IdentityMemberRow",
    "IdentityRow",
    "ReconcileDecisionRow",
    "ReconcileKeyRow",
    "ReconcileModelRow",
    "ReconcilePairRow",
    "ReconcileRunRow",
]


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))


class IdentityRow(SQLModel, table=True):
    """One real person, organisation or employee with its golden values."""

    __tablename__ = "identities"
    identity_id: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=16, index=True)
    golden: dict[str, Any] = _json()
    provenance: dict[str, Any] = _json()
    member_count: int = 0
    updated_at: datetime = Field(sa_type=UtcDateTime)
    run_id: int | None = None


class IdentityMemberRow(SQLModel, table=True):
    """Crosswalk: a source record belongs to one identity."""

    __tablename__ = "identity_members"
    __table_args__ = (
        UniqueConstraint("source", "table_name", "remote_id", name="uq_identity_members_record"),
    )
    id: int | None = Field(default=None, primary_key=True)
    identity_id: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=16)
    source: str = Field(max_length=40)
    table_name: str = Field(max_length=16)
    remote_id: str = Field(max_length=64)
    method: str = Field(max_length=16)
    score: float | None = None


class ReconcilePairRow(SQLModel, table=True):
    """A compared pair that matched, fell in the review band, or is hard evidence."""

    __tablename__ = "reconcile_pairs"
    __table_args__ = (UniqueConstraint("a_key", "b_key", name="uq_reconcile_pairs"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    a_key: str = Field(max_length=160, index=True)
    b_key: str = Field(max_length=160, index=True)
    score: float
    status: str = Field(max_length=16, index=True)
    detail: dict[str, Any] = _json()
    run_id: int | None = None


class ReconcileDecisionRow(SQLModel, table=True):
    """An admin's ``link`` or ``unlink`` of two records; the latest per pair wins."""

    __tablename__ = "reconcile_decisions"
    __table_args__ = (UniqueConstraint("a_key", "b_key", name="uq_reconcile_decisions"),)
    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=8)
    a_key: str = Field(max_length=160)
    b_key: str = Field(max_length=160)
    note: str | None = None
    decided_at: datetime = Field(sa_type=UtcDateTime)


class ReconcileRunRow(SQLModel, table=True):
    """One reconcile run: full or incremental, what it saw and produced."""

    __tablename__ = "reconcile_runs"
    id: int | None = Field(default=None, primary_key=True)
    mode: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    watermark: datetime | None = Field(default=None, sa_type=UtcDateTime)  # before 0008
    # The store's change number this run reconciled up to (sync.store.changes).
    change_seq: int | None = Field(default=None, sa_type=BigInteger)
    stats: dict[str, Any] = _json()


class ReconcileKeyRow(SQLModel, table=True):
    """A blocking key of a reconciled record: incremental runs find candidates through it."""

    __tablename__ = "reconcile_keys"
    id: int | None = Field(default=None, primary_key=True)
    block_key: str = Field(max_length=200, index=True)
    record_key: str = Field(max_length=160, index=True)


class ReconcileModelRow(SQLModel, table=True):
    """A trained matcher model of one kind; the newest of a kind is the one runs use."""

    __tablename__ = "reconcile_models"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    version: str = Field(max_length=16)
    trained_at: datetime = Field(sa_type=UtcDateTime)
    body: dict[str, Any] = _json()
