"""The ``schedule:`` section of the configuration: when each source's job runs.

Defaults fit syncs: one run of a source at a time, missed runs coalesced into one, and a
misfire grace of one interval rather than APScheduler's 1 s (a busy daemon would
otherwise silently skip runs).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sync.config.durations import parse_duration
from sync.config.steps import STEP_NAMES

__all__ = ["JobSchedule", "ScheduleConfig"]


def _duration(value: Any) -> Any:
    if value is None:
        return None
    return parse_duration(value)


class JobSchedule(BaseModel):
    """When one job runs: ``every`` (an interval) or ``cron`` (five crontab fields, UTC)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: timedelta | None = Field(None, description="Run this often, e.g. 15m.")
    cron: str | None = Field(None, description="Crontab expression (UTC), e.g. '*/15 * * * *'.")
    misfire_grace: timedelta | None = Field(
        None, description="Still run this late after a missed time (default: one interval)."
    )

    @field_validator("every", "misfire_grace", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return _duration(value)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a crontab expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> JobSchedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of every (an interval) or cron")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError("every must be at least 1s")
        return self


class ScheduleConfig(BaseModel):
    """Jobs of ``crmsync daemon``: a default for every source, overrides by source name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: JobSchedule = Field(
        default_factory=lambda: JobSchedule(every=timedelta(minutes=15)),
        description="Schedule of every enabled source without its own entry.",
    )
    sources: dict[str, JobSchedule] = Field(
        default_factory=dict, description="Source name -> its own schedule."
    )
    steps: dict[str, JobSchedule] = Field(
        default_factory=dict,
        description="Later steps to run on their own schedule: reconcile, audit, compute, "
        "push, statements -> schedule (steps not listed are not scheduled).",
    )
    heartbeat: timedelta = Field(
        timedelta(seconds=10),
        description="How often the daemon records next run times for `crmsync status`.",
    )
    backoff_initial: timedelta = Field(
        timedelta(minutes=1), description="Pause after a source's first failure."
    )
    backoff_max: timedelta = Field(
        timedelta(hours=1), description="Longest pause; each failure in a row doubles it."
    )
    stop_timeout: timedelta = Field(
        timedelta(seconds=30),
        description="On SIGTERM, wait this long for the current page to commit.",
    )
    max_lag: timedelta | None = Field(
        None,
        description="/healthz reports a job unhealthy when its last success (or the daemon's "
        "start) is older than this (default: three intervals of the job's schedule, at "
        "least 15m).",
    )

    @field_validator("steps")
    @classmethod
    def _known_steps(cls, steps: dict[str, JobSchedule]) -> dict[str, JobSchedule]:
        unknown = sorted(set(steps) - set(STEP_NAMES))
        if unknown:
            raise ValueError(
                f"unknown step {', '.join(unknown)}; steps are {', '.join(STEP_NAMES)}"
            )
        return steps

    @field_validator(
        "backoff_initial", "backoff_max", "stop_timeout", "heartbeat", "max_lag", mode="before"
    )
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return _duration(value)

    def for_source(self, name: str) -> JobSchedule:
        return self.sources.get(name, self.default)
