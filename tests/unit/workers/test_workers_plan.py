"""The workers' settings, clock-aligned crons, periodic plan and retry decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from procrastinate.jobs import Job
from pydantic import ValidationError

from sync.config.cron import every_to_cron
from sync.config.models import CrmsyncConfig
from sync.config.workers import WorkersConfig
from sync.workers.app import build_app, conninfo, periodic_plan, source_jobs
from sync.workers.tasks import JobFailed, JobInterrupted, SyncRetry


@pytest.mark.parametrize(
    ("every", "cron"),
    [
        (timedelta(seconds=1), "* * * * * *"),
        (timedelta(seconds=5), "* * * * * */5"),
        (timedelta(seconds=30), "* * * * * */30"),
        (timedelta(minutes=1), "* * * * *"),
        (timedelta(minutes=15), "*/15 * * * *"),
        (timedelta(hours=1), "0 * * * *"),
        (timedelta(hours=6), "0 */6 * * *"),
        (timedelta(days=1), "0 0 * * *"),
    ],
)
def test_intervals_that_divide_the_clock_become_crons(every: timedelta, cron: str) -> None:
    assert every_to_cron(every) == cron


@pytest.mark.parametrize(
    "every", [timedelta(seconds=7), timedelta(minutes=7), timedelta(hours=5), timedelta(days=2)]
)
def test_intervals_off_the_clock_are_refused_with_what_to_use(every: timedelta) -> None:
    with pytest.raises(ValueError, match="use a divisor of a minute, an hour or a day"):
        every_to_cron(every)


def test_worker_settings_are_checked() -> None:
    with pytest.raises(ValidationError, match="stalled_timeout must be longer than heartbeat"):
        WorkersConfig(heartbeat="30s", stalled_timeout="10s")
    with pytest.raises(ValidationError, match="divisor of a minute"):
        WorkersConfig(stalled_check_every="7s")
    settings = WorkersConfig(heartbeat="0.5s", stalled_timeout="2s", retry_wait="2m")
    assert settings.heartbeat == timedelta(milliseconds=500)
    assert settings.retry_wait == timedelta(minutes=2)
    assert settings.enabled is False  # the daemon stays the default


def _config(**extra: Any) -> CrmsyncConfig:
    sources = [
        {"name": "hubspot", "kind": "hubspot", "streams": ["users", "deals"]},
        {"name": "zoho", "kind": "zoho", "streams": ["leads"]},
        {"name": "off", "kind": "zoho", "enabled": False, "streams": ["leads"]},
    ]
    return CrmsyncConfig.model_validate(
        {"store": {"url": "postgresql://u@db/crm"}, "sources": sources, **extra}
    )


def test_the_schedule_becomes_one_periodic_job_per_source_stream_and_step() -> None:
    config = _config(
        schedule={
            "default": {"every": "15m"},
            "sources": {"zoho": {"cron": "0 * * * *"}},
            "steps": {"audit": {"every": "1h"}},
        }
    )
    plan = [(j.task, j.periodic_id, j.cron, j.lock, j.queue) for j in periodic_plan(config)]
    assert plan == [
        (
            "crmsync.retry_stalled",
            "retry-stalled",
            "* * * * * */10",
            "retry-stalled",
            "maintenance",
        ),
        ("crmsync.step", "audit", "0 * * * *", "step:audit", "steps"),
        ("crmsync.sync", "hubspot/deals", "*/15 * * * *", "sync:hubspot/deals", "sync"),
        ("crmsync.sync", "hubspot/users", "*/15 * * * *", "sync:hubspot/users", "sync"),
        ("crmsync.sync", "zoho/leads", "0 * * * *", "sync:zoho/leads", "sync"),
    ]
    deals = periodic_plan(config)[2]
    assert deals.configure_kwargs() == {
        "lock": "sync:hubspot/deals",
        "queueing_lock": "sync:hubspot/deals",
        "queue": "sync",
        "task_kwargs": {"source": "hubspot", "stream": "deals"},
    }


def test_without_a_schedule_only_the_stalled_job_retry_is_periodic() -> None:
    assert [j.task for j in periodic_plan(_config())] == ["crmsync.retry_stalled"]


def test_one_job_per_source_when_streams_are_not_split() -> None:
    config = _config(workers={"split_streams": False})
    (job,) = source_jobs(config, config.source("hubspot"))
    assert (job.periodic_id, job.lock, job.kwargs) == (
        "hubspot",
        "sync:hubspot",
        {"source": "hubspot"},
    )
    # An explicit stream list (crmsync worker defer --stream) still splits.
    assert [j.lock for j in source_jobs(config, config.source("hubspot"), ["deals"])] == [
        "sync:hubspot/deals"
    ]


def test_the_app_registers_every_task_and_periodic_schedule() -> None:
    config = _config(schedule={"default": {"every": "5m"}})
    app = build_app(config)
    assert {"crmsync.sync", "crmsync.step", "crmsync.retry_stalled"} <= set(app.tasks)
    assert sorted(pid for _, pid in app.periodic_registry.periodic_tasks) == [
        "hubspot/deals",
        "hubspot/users",
        "retry-stalled",
        "zoho/leads",
    ]
    assert build_app(config, periodic=False).periodic_registry.periodic_tasks == {}


def test_store_urls_become_libpq_urls_and_sqlite_is_refused() -> None:
    assert conninfo("postgresql+psycopg://u@db/crm?options=-csearch_path%3Dx") == (
        "postgresql://u@db/crm?options=-csearch_path%3Dx"
    )
    assert conninfo("postgresql://u@db/crm") == "postgresql://u@db/crm"
    with pytest.raises(ValueError, match="PostgreSQL store"):
        conninfo("sqlite:///crm.sqlite")


def _job(attempts: int) -> Job:
    return Job(id=1, queue="sync", lock=None, queueing_lock=None, task_name="crmsync.sync",
               attempts=attempts)  # fmt: skip


def test_interrupted_jobs_are_retried_at_once_failed_ones_only_as_configured() -> None:
    retry = SyncRetry(retries=2, wait=timedelta(seconds=10))
    now = retry.get_retry_decision(exception=JobInterrupted(), job=_job(5))
    assert now is not None and now.retry_at is not None
    assert retry.get_retry_decision(exception=JobInterrupted(cancelled=True), job=_job(0)) is None
    first = retry.get_retry_decision(exception=JobFailed("x"), job=_job(0))
    second = retry.get_retry_decision(exception=JobFailed("x"), job=_job(1))
    assert first is not None and second is not None
    assert first.retry_at is not None and second.retry_at is not None
    assert round((second.retry_at - first.retry_at).total_seconds()) == 10  # 10 s, then 20 s
    assert retry.get_retry_decision(exception=JobFailed("x"), job=_job(2)) is None
    assert retry.get_retry_decision(exception=RuntimeError("bug"), job=_job(0)) is None
    assert (
        SyncRetry(0, timedelta(0)).get_retry_decision(exception=JobFailed("x"), job=_job(0)) is None
    )
