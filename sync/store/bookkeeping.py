"""Store tables of the sync itself: cursors, run history, quarantine and the change counter.

Their columns are declared once, in sync/store/core_tables.py, through which the sync
engine writes them; these models are mapped onto those tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field

from sync.store.table_model import TableModel

__all__ = ["ChangeCounterRow", "QuarantineRow", "RunRow", "RunStreamRow", "StreamStateRow"]


class StreamStateRow(TableModel, table=True):
    """Where a stream resumes. Written in the same transaction as the page it covers."""

    __tablename__ = "sync_state"
    source: str
    stream: str
    state: dict[str, Any] = Field(default_factory=dict)
    updated_at: datetime
    run_id: int | None = None
    last_full_id_check_at: datetime | None = None


class RunRow(TableModel, table=True):
    """One sync run of one source."""

    __tablename__ = "sync_runs"
    id: int | None = None
    source: str
    started_at: datetime
    finished_at: datetime | None = None
    # running|succeeded|partial|failed, or aborted: left running by a process that died
    status: str = "running"
    full: bool = False
    dry_run: bool = False
    error: str | None = None


class RunStreamRow(TableModel, table=True):
    """Counts of one stream in one run."""

    __tablename__ = "sync_run_streams"
    run_id: int
    stream: str
    status: str = "running"
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


class QuarantineRow(TableModel, table=True):
    """A record that could not be mapped or validated, kept with its reason and payload."""

    __tablename__ = "quarantine"
    id: int | None = None
    source: str
    stream: str
    record_key: str  # remote id, or a hash of the payload without one
    remote_id: str | None = None
    reason: str
    raw: dict[str, Any] = Field(default_factory=dict)
    run_id: int | None = None
    first_seen_at: datetime
    last_seen_at: datetime
    resolved: bool = False


class ChangeCounterRow(TableModel, table=True):
    """One row: the last change number handed out (sync.store.changes)."""

    __tablename__ = "store_changes"
    id: int = 1
    last_change: int = 0
