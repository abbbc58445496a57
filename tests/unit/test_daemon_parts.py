"""Small parts of the daemon: alert policy, schedule descriptions, step lookup, metrics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from sync.daemon.alerts import Alerter, AlertsConfig
from sync.daemon.metrics import DaemonMetrics
from sync.daemon.scheduler import describe
from sync.daemon.settings import JobSchedule, ScheduleConfig
from sync.errors import UsageError
from sync.pipeline.steps import load_step

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _recorder() -> tuple[list[tuple[str, str, list[str]]], Alerter]:
    sent: list[tuple[str, str, list[str]]] = []

    def send(subject: str, body: str, to: Sequence[str]) -> None:
        sent.append((subject, body, list(to)))

    config = AlertsConfig(email_to=["ops@example.com"], after_failures=3)
    return sent, Alerter(config, send)


def test_one_alert_per_failure_streak_and_a_recovery_notice() -> None:
    sent, alerter = _recorder()
    alerted = False
    for failures in (1, 2, 3, 4, 5):
        alerted = alerter.failed("hubspot", failures, "HTTP 503", NOW, alerted)
    assert [s[0] for s in sent] == ["[crmsync] hubspot failed 3 times in a row"]
    assert "not before 2026-11-02 08:00:00 UTC" in sent[0][1]
    alerter.recovered("hubspot", alerted)
    assert [s[0] for s in sent][-1] == "[crmsync] hubspot recovered"
    alerter.recovered("zoho", False)  # never alerted: nothing to recover from
    assert len(sent) == 2


def test_no_recipients_means_no_alerts_and_a_failing_mailer_is_survived() -> None:
    silent = Alerter(AlertsConfig(), lambda *_: None)
    assert silent.failed("zoho", 9, "down", NOW, False) is False

    def broken(*_: object) -> None:
        raise OSError("connection refused")

    alerter = Alerter(AlertsConfig(email_to=["ops@example.com"], after_failures=1), broken)
    # Not delivered, so not marked: the next failure tries again.
    assert alerter.failed("zoho", 1, "down", NOW, False) is False


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (JobSchedule(every=timedelta(minutes=15)), "every 15m"),
        (JobSchedule(every=timedelta(hours=2)), "every 2h"),
        (JobSchedule(every=timedelta(seconds=90)), "every 90s"),
        (JobSchedule(cron="*/5 * * * *"), "cron */5 * * * *"),
    ],
)
def test_schedules_are_described_for_status(schedule: JobSchedule, text: str) -> None:
    assert describe(schedule) == text


def test_unknown_steps_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown step reconcile2; steps are reconcile, audit"):
        ScheduleConfig.model_validate({"steps": {"reconcile2": {"every": "1h"}}})
    with pytest.raises(UsageError, match="unknown step 'payroll'"):
        load_step("payroll")


def test_metrics_label_steps_and_report_quota_left() -> None:
    metrics = DaemonMetrics(["salesforce"], lambda: NOW)
    metrics.ensure(["step:audit", "salesforce"])
    metrics.update("salesforce", quota_remaining=14_850)
    metrics.add("step:audit", runs=2)
    text = metrics.render()
    assert 'crmsync_api_quota_remaining{source="salesforce"} 14850' in text
    assert 'crmsync_sync_runs_total{step="audit"} 2' in text
    assert 'crmsync_api_quota_remaining{step="audit"} -1' in text
