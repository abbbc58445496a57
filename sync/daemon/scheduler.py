"""APScheduler 3.x set-up: one job per enabled source and scheduled step, with defaults
that fit syncs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.config.schedule import JobSchedule
from sync.daemon.job_base import ScheduledJob

__all__ = [
    "add_jobs",
    "build_scheduler",
    "describe",
    "duration_text",
    "misfire_grace",
    "period",
    "same_timing",
    "trigger_for",
]


def trigger_for(schedule: JobSchedule, now: datetime) -> BaseTrigger:
    """The job's trigger; an interval counts from ``now`` (its first due time is one
    interval after ``now``)."""
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone="UTC")
    assert schedule.every is not None
    return IntervalTrigger(
        seconds=schedule.every.total_seconds(), start_date=now + schedule.every, timezone="UTC"
    )


def period(schedule: JobSchedule, now: datetime) -> timedelta | None:
    """The time between two due times: the interval, or the gap after cron's next time."""
    if schedule.every is not None:
        return schedule.every
    trigger = trigger_for(schedule, now)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    if first is None or second is None:
        return None
    return second - first


def misfire_grace(schedule: JobSchedule, now: datetime) -> int:
    """Seconds a late run may still start: the configured value or one interval."""
    if schedule.misfire_grace is not None:
        return max(1, int(schedule.misfire_grace.total_seconds()))
    gap = period(schedule, now)
    return 60 if gap is None else max(1, int(gap.total_seconds()))


def duration_text(value: timedelta) -> str:
    """``1h30m``, ``45m``, ``2d``, ``90s``: the largest units that say it exactly."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def describe(schedule: JobSchedule) -> str:
    """``every 15m`` / ``cron */5 * * * *`` for status displays."""
    if schedule.cron is not None:
        return f"cron {schedule.cron}"
    assert schedule.every is not None
    seconds = int(schedule.every.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"every {seconds // size}{unit}"
    return f"every {seconds}s"


def build_scheduler(max_workers: int) -> BackgroundScheduler:
    """A scheduler, not started, with a thread per job so no job waits for another."""
    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=max(1, max_workers))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )


def same_timing(old: JobSchedule | None, new: JobSchedule) -> bool:
    """Whether ``new`` fires when ``old`` did (a changed misfire grace does not move runs)."""
    return old is not None and (old.every, old.cron) == (new.every, new.cron)


def add_jobs(
    scheduler: BaseScheduler,
    jobs: list[tuple[ScheduledJob, JobSchedule]],
    now: datetime,
    previous: dict[str, JobSchedule] | None = None,
) -> None:
    """Add each new job, or update a scheduled one in place, keeping its id.

    A new interval job first runs at ``now`` (a daemon that just started should catch up), a
    new cron job at its next time. A job already scheduled (``previous`` holds the
    schedules it was added with) keeps its next run time when its timing is unchanged, so a
    reload does not run every job again; a job whose timing changed moves to the next due
    time of its new schedule after ``now``.
    """
    previous = previous or {}
    for job, schedule in jobs:
        trigger = trigger_for(schedule, now)
        grace = misfire_grace(schedule, now)
        if scheduler.get_job(job.job_id) is None:
            first = now if schedule.every is not None else trigger.get_next_fire_time(None, now)
            scheduler.add_job(
                job,
                trigger,
                id=job.job_id,
                name=job.job_id,
                misfire_grace_time=grace,
                next_run_time=first,
            )
        elif same_timing(previous.get(job.job_id), schedule):
            scheduler.modify_job(job.job_id, func=job, misfire_grace_time=grace)
        else:
            scheduler.modify_job(
                job.job_id,
                func=job,
                trigger=trigger,
                misfire_grace_time=grace,
                next_run_time=trigger.get_next_fire_time(None, now),
            )
