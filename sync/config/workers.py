"""The ``workers:`` section: scale-out on several ``crmsync worker`` processes.

Off by default: the single-process daemon stays the default. With ``enabled: true`` the
schedules of the ``schedule:`` section are deferred as jobs into a PostgreSQL-backed queue
(procrastinate, in the store's own database) and run by any number of workers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sync.config.cron import every_to_cron
from sync.config.durations import parse_duration

__all__ = ["WorkerQueues", "WorkersConfig"]


def _duration(value: Any) -> Any:
    return parse_duration(value)


class WorkerQueues(BaseModel):
    """Queue names, so workers can be dedicated (e.g. one machine only for steps)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sync: str = Field("sync", description="Queue of the sync jobs (one per source and stream).")
    steps: str = Field("steps", description="Queue of the later steps (reconcile ... statements).")
    maintenance: str = Field(
        "maintenance", description="Queue of the job that retries jobs of dead workers."
    )

    @model_validator(mode="after")
    def _distinct(self) -> WorkerQueues:
        names = [self.sync, self.steps, self.maintenance]
        if any(not n or "," in n for n in names):
            raise ValueError("queue names must be non-empty and contain no comma")
        return self


class WorkersConfig(BaseModel):
    """How ``crmsync worker`` processes share the work through PostgreSQL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(
        False,
        description="Scale-out mode: schedules run as queued jobs on `crmsync worker` "
        "processes (PostgreSQL store only), which replace `crmsync daemon`.",
    )
    concurrency: int = Field(
        1, ge=1, le=32, description="Jobs one worker process runs at the same time."
    )
    queues: WorkerQueues = Field(default_factory=WorkerQueues, description="Queue names.")
    split_streams: bool = Field(
        True,
        description="One job per source and stream (streams of a large source spread over "
        "workers); false: one job per source.",
    )
    heartbeat: timedelta = Field(
        timedelta(seconds=10), description="How often a worker records that it is alive."
    )
    stalled_timeout: timedelta = Field(
        timedelta(seconds=30),
        description="A worker silent this long is dead: its running jobs are queued again "
        "and it is forgotten.",
    )
    stalled_check_every: timedelta = Field(
        timedelta(seconds=10),
        description="How often some worker looks for jobs of dead workers (a divisor of 1m).",
    )
    poll_interval: timedelta = Field(
        timedelta(seconds=5),
        description="Longest wait between looks at the queue (new jobs also wake workers "
        "through LISTEN/NOTIFY).",
    )
    catch_up: timedelta = Field(
        timedelta(minutes=10),
        description="A worker starting late still defers a period missed by at most this.",
    )
    stop_grace: timedelta = Field(
        timedelta(0),
        description="On SIGTERM, let running jobs go on this long, then ask them to stop "
        "after their current page, or at once where they wait to retry (they are queued "
        "again and resume there).",
    )
    retry_failed: int = Field(
        0, ge=0, le=10, description="Retries of a sync job that failed (CRM errors)."
    )
    retry_wait: timedelta = Field(
        timedelta(minutes=1), description="Wait before the first retry; doubles each time."
    )

    @field_validator(
        "heartbeat",
        "stalled_timeout",
        "stalled_check_every",
        "poll_interval",
        "catch_up",
        "stop_grace",
        "retry_wait",
        mode="before",
    )
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return _duration(value)

    @field_validator("stalled_check_every")
    @classmethod
    def _on_clock_ticks(cls, value: timedelta) -> timedelta:
        every_to_cron(value)  # every worker must compute the same ticks
        return value

    @model_validator(mode="after")
    def _consistent(self) -> WorkersConfig:
        if self.stalled_timeout <= self.heartbeat:
            raise ValueError(
                "stalled_timeout must be longer than heartbeat (a live worker would "
                "look dead between two heartbeats)"
            )
        if self.heartbeat.total_seconds() < 0.1 or self.poll_interval.total_seconds() < 0.1:
            raise ValueError("heartbeat and poll_interval must be at least 100ms")
        return self
