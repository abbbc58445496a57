"""Store tables of the sync itself: cursors, run history, quarantine and the change counter.

The sync engine writes them through their Core twins (sync/store/core_tables.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import JsonDoc, UtcDateTime

__all__ = ["ChangeCounterRow", "QuarantineRow", "RunRow", "RunStreamRow", "StreamStateRow"]


class StreamStateRow(SQLModel, table=True):
    """Where a stream resumes. Written in the same transaction as the page it covers."""

    __tablename__ = "sync_state"
    source: str = Field(primary_key=True, max_length=40)
    stream: str = Field(primary_key=True, max_length=40)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))
    updated_at: datetime = Field(sa_type=UtcDateTime)
    run_id: int | None = None
    last_full_id_check_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class RunRow(SQLModel, table=True):
    """One sync run of one source."""

    __tablename__ = "sync_runs"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40, index=True)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # running|succeeded|partial|failed, or aborted: left running by a process that died
    status: str = Field(default="running", max_length=16)
    full: bool = False
    dry_run: bool = False
    error: str | None = None


class RunStreamRow(SQLModel, table=True):
    """Counts of one stream in one run."""

    __tablename__ = "sync_run_streams"
    run_id: int = Field(primary_key=True, foreign_key="sync_runs.id")
    stream: str = Field(primary_key=True, max_length=40)
    status: str = Field(default="running", max_length=16)
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # ``deleted`` split by why (sync.store.pages.PageCounts), and rows the CRM had live again
    deleted_reported: int = 0
    deleted_merged: int = 0
    deleted_missing: int = 0
    restored: int = 0
    quarantined: int = 0
    api_calls: int = 0
    seconds: float = 0.0
    error: str | None = None


class QuarantineRow(SQLModel, table=True):
    """A record that could not be mapped or validated, kept with its reason and payload."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "stream", "record_key", name="uq_quarantine"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40, index=True)
    stream: str = Field(max_length=40)
    record_key: str = Field(max_length=64)  # remote id, or a hash of the payload without one
    remote_id: str | None = Field(default=None, max_length=64)
    reason: str
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))
    run_id: int | None = None
    first_seen_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)
    resolved: bool = False


class ChangeCounterRow(SQLModel, table=True):
    """One row: the last change number handed out (sync.store.changes)."""

    __tablename__ = "store_changes"
    id: int = Field(default=1, primary_key=True)
    last_change: int = Field(default=0, sa_type=BigInteger)
