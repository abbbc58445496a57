"""APScheduler 3.x set-up: one job per enabled source and scheduled step, with defaults
that fit syncs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.daemon.job_base import ScheduledJob
from sync.daemon.settings import JobSchedule

__all__ = ["add_jobs", "build_scheduler", "describe", "misfire_grace", "trigger_for"]


def trigger_for(schedule: JobSchedule) -> BaseTrigger:
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone="UTC")
    assert schedule.every is not None
    return IntervalTrigger(seconds=schedule.every.total_seconds(), timezone="UTC")


def misfire_grace(schedule: JobSchedule, trigger: BaseTrigger, now: datetime) -> int:
    """Seconds a late run may still start: the configured value or one interval."""
    if schedule.misfire_grace is not None:
        return max(1, int(schedule.misfire_grace.total_seconds()))
    if schedule.every is not None:
        return max(1, int(schedule.every.total_seconds()))
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
    if first is None or second is None:
        return 60
    return max(1, int((second - first).total_seconds()))


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


def add_jobs(
    scheduler: BackgroundScheduler,
    jobs: list[tuple[ScheduledJob, JobSchedule]],
    now: datetime,
) -> None:
    """Add (or replace, keeping the id) each job. Interval jobs first run now (a daemon
    that just started should catch up), cron jobs at their next time."""
    for job, schedule in jobs:
        trigger = trigger_for(schedule)
        # next_run_time=None would add the job paused: leave it out for cron jobs.
        first = {"next_run_time": now} if schedule.every is not None else {}
        scheduler.add_job(
            job,
            trigger,
            id=job.job_id,
            name=job.job_id,
            misfire_grace_time=misfire_grace(schedule, trigger, now),
            **first,
            replace_existing=True,
        )
