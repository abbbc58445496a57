"""The daemon's job table: what is scheduled, when it runs next, and how it last went.

Written by ``crmsync daemon`` (at start, after every run and on a heartbeat) and read by
``crmsync status``. It also carries the back-off of failing jobs, so a restarted daemon
keeps backing off instead of hammering a CRM that is still down.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from sync.store.types import UtcDateTime

__all__ = ["DaemonJobRow"]


class DaemonJobRow(SQLModel, table=True):
    __tablename__ = "daemon_jobs"
    job: str = Field(primary_key=True, max_length=60)  # a source name or "step:<name>"
    schedule: str = Field(default="", max_length=120)  # "every 15m" / "cron */5 * * * *"
    next_run_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_status: str | None = Field(default=None, max_length=16)
    last_error: str | None = None
    consecutive_failures: int = 0
    backoff_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    alerted: bool = False  # an alert was sent for the current failure streak
    heartbeat_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    owner: str | None = Field(default=None, max_length=120)  # host:pid of the daemon
