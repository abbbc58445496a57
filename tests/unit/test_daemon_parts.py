"""Small parts of the daemon: alert policy, schedule descriptions, step lookup, metrics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from sync.config.alerts import AlertsConfig
from sync.config.schedule import JobSchedule, ScheduleConfig
from sync.daemon.alerts import Alerter
from sync.daemon.metrics import DaemonMetrics
from sync.daemon.scheduler import describe
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


def _parsed(metrics: DaemonMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.render())
        for sample in family.samples
    }


def test_metrics_label_steps_and_report_quota_left() -> None:
    metrics = DaemonMetrics(["salesforce"], lambda: NOW)
    metrics.ensure(["step:audit", "salesforce"])
    metrics.update("salesforce", quota_remaining=14_850, last_success=NOW - timedelta(seconds=90))
    metrics.add("step:audit", runs=2)
    metrics.add("salesforce", records=1_234, api_calls=7)
    metrics.add("salesforce", records=66)
    samples = _parsed(metrics)
    source, step = (("source", "salesforce"),), (("step", "audit"),)
    assert samples[("crmsync_api_quota_remaining", source)] == 14_850
    assert samples[("crmsync_sync_runs_total", step)] == 2
    assert samples[("crmsync_sync_runs_total", source)] == 0
    assert samples[("crmsync_api_quota_remaining", step)] == -1
    assert samples[("crmsync_sync_records_total", source)] == 1_300
    assert samples[("crmsync_sync_api_calls_total", source)] == 7
    assert samples[("crmsync_sync_lag_seconds", source)] == 90.0
    assert samples[("crmsync_sync_lag_seconds", step)] == -1.0
    assert len(samples) == 18  # 9 families x 2 jobs


def test_each_daemon_has_its_own_registry_and_none_uses_the_global_one() -> None:
    first = DaemonMetrics(["salesforce"], lambda: NOW)
    second = DaemonMetrics(["salesforce"], lambda: NOW)
    first.add("salesforce", runs=3)
    second.add("salesforce", runs=5)
    source = (("source", "salesforce"),)
    assert _parsed(first)[("crmsync_sync_runs_total", source)] == 3
    assert _parsed(second)[("crmsync_sync_runs_total", source)] == 5
    assert first.registry is not second.registry
    assert REGISTRY.get_sample_value("crmsync_sync_runs_total", {"source": "salesforce"}) is None
