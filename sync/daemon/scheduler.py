"""APScheduler 3.x set-up: one job per enabled source, with defaults that fit syncs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.daemon.jobs import SourceJob
from sync.daemon.settings import JobSchedule

__all__ = ["build_scheduler", "misfire_grace", "trigger_for"]


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


def build_scheduler(
    jobs: list[tuple[SourceJob, JobSchedule]], now: datetime
) -> BackgroundScheduler:
    """A scheduler, not started, with a thread per source so no job waits for another.

    Interval jobs first run at start-up (a daemon that just started should catch up), cron
    jobs at their next time. Job ids are the source names.
    """
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=max(1, len(jobs)))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )
    for job, schedule in jobs:
        trigger = trigger_for(schedule)
        # next_run_time=None would add the job paused: leave it out for cron jobs.
        first = {"next_run_time": now} if schedule.every is not None else {}
        scheduler.add_job(
            job,
            trigger,
            id=job.source.name,
            name=f"sync {job.source.name}",
            misfire_grace_time=misfire_grace(schedule, trigger, now),
            **first,
            replace_existing=True,
        )
    return scheduler
