"""Write-back bookkeeping: published values, what was last written, and push results.

- ``push_published``: the values the computing steps want in the CRMs, one row per
  (source, object, remote id, key); each step replaces all of its rows when it publishes.
- ``push_state``: the last value crmsync *successfully* wrote per (source, object, remote
  id, field), acknowledged by the CRM for that very record. The diff is against this table,
  so unchanged values cost no call and failed records are tried again next run.
- ``push_fields``: the CRM's API name of each target field (Zoho derives it from the label).
- ``push_runs`` / ``push_results``: one row per push run, and one per record and run that
  was written, failed, skipped as a conflict or held back by the quota.

Values are stored as canonical text (see ``sync.store.view.published.canonical``); NULL is "empty".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import JsonDoc, UtcDateTime

__all__ = [
    "PublishedValueRow",
    "PushFieldRow",
    "PushResultRow",
    "PushRunRow",
    "PushStateRow",
]


class PublishedValueRow(SQLModel, table=True):
    __tablename__ = "push_published"
    __table_args__ = (
        UniqueConstraint("source", "object", "remote_id", "key", name="uq_push_published"),
        Index("ix_push_published_step", "step"),
    )
    id: int | None = Field(default=None, primary_key=True)
    step: str = Field(max_length=60)
    source: str = Field(max_length=40)
    object: str = Field(max_length=40)
    remote_id: str = Field(max_length=64)
    key: str = Field(max_length=80)
    value: str | None = Field(default=None, max_length=1000)


class PushStateRow(SQLModel, table=True):
    __tablename__ = "push_state"
    __table_args__ = (
        UniqueConstraint("source", "object", "remote_id", "field", name="uq_push_state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    object: str = Field(max_length=40)
    remote_id: str = Field(max_length=64)
    field: str = Field(max_length=120)
    value: str | None = Field(default=None, max_length=1000)
    pushed_at: datetime = Field(sa_type=UtcDateTime)
    run_id: int


class PushFieldRow(SQLModel, table=True):
    """The CRM's API name of each target field, as ``ensure_fields`` last found it."""

    __tablename__ = "push_fields"
    __table_args__ = (UniqueConstraint("source", "object", "field", name="uq_push_fields"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    object: str = Field(max_length=40)
    field: str = Field(max_length=120)
    api_name: str = Field(max_length=120)


class PushRunRow(SQLModel, table=True):
    __tablename__ = "push_runs"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    dry_run: bool = False
    status: str = Field(default="running", max_length=16)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))


class PushResultRow(SQLModel, table=True):
    __tablename__ = "push_results"
    __table_args__ = (Index("ix_push_results_record", "source", "object", "remote_id"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    source: str = Field(max_length=40)
    object: str = Field(max_length=40)
    remote_id: str = Field(max_length=64)
    outcome: str = Field(max_length=24)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=2000)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))
