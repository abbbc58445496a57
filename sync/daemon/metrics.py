"""Per-source counters of the daemon, rendered as Prometheus text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["DaemonMetrics", "SourceMetrics"]


@dataclass
class SourceMetrics:
    runs: int = 0
    failures: int = 0
    skipped: int = 0  # lock held elsewhere, or backing off
    records: int = 0
    api_calls: int = 0
    consecutive_failures: int = 0
    last_success: datetime | None = None
    running: bool = False
    quota_remaining: int = -1  # API calls left in the CRM's window; -1: not reported
    since: datetime | None = None  # when the job was first scheduled by this daemon


_HELP = [
    ("crmsync_sync_runs_total", "counter", "Sync runs started.", "runs"),
    ("crmsync_sync_failures_total", "counter", "Sync runs that did not succeed.", "failures"),
    (
        "crmsync_sync_skipped_total",
        "counter",
        "Due runs skipped (locked or backing off).",
        "skipped",
    ),
    ("crmsync_sync_records_total", "counter", "Records read.", "records"),
    ("crmsync_sync_api_calls_total", "counter", "CRM API calls made.", "api_calls"),
    (
        "crmsync_sync_consecutive_failures",
        "gauge",
        "Failures in a row (drives back-off).",
        "consecutive_failures",
    ),
    ("crmsync_sync_running", "gauge", "1 while a run of the job is in progress.", "running"),
    (
        "crmsync_api_quota_remaining",
        "gauge",
        "API calls left in the CRM's quota after the last run (-1: not reported).",
        "quota_remaining",
    ),
]


def _labels(job: str) -> str:
    # Sources keep the label they always had; later steps are labelled by step.
    if job.startswith("step:"):
        return f'step="{job.removeprefix("step:")}"'
    return f'source="{job}"'


class DaemonMetrics:
    """Thread-safe counters, one set per job (a source name or ``step:<name>``)."""

    def __init__(self, sources: list[str], now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._sources = {name: SourceMetrics() for name in sources}

    def ensure(self, jobs: list[str]) -> None:
        """Start counters for jobs added by a configuration reload (kept ones keep theirs)."""
        with self._lock:
            for name in jobs:
                if name not in self._sources:
                    self._sources[name] = SourceMetrics(since=self._now())

    def update(self, source: str, **changes: object) -> None:
        with self._lock:
            metrics = self._sources[source]
            for name, value in changes.items():
                setattr(metrics, name, value)

    def add(self, source: str, **increments: int) -> None:
        with self._lock:
            metrics = self._sources[source]
            for name, value in increments.items():
                setattr(metrics, name, getattr(metrics, name) + value)

    def snapshot(self) -> dict[str, SourceMetrics]:
        with self._lock:
            return {name: SourceMetrics(**vars(m)) for name, m in self._sources.items()}

    def render(self) -> str:
        """Prometheus text exposition format 0.0.4."""
        snap = self.snapshot()
        now = self._now()
        lines: list[str] = []
        for metric, kind, help_text, attr in _HELP:
            lines += [f"# HELP {metric} {help_text}", f"# TYPE {metric} {kind}"]
            for name, m in snap.items():
                lines.append(f"{metric}{{{_labels(name)}}} {int(getattr(m, attr))}")
        metric = "crmsync_sync_lag_seconds"
        lines += [
            f"# HELP {metric} Seconds since the last successful run (-1: never).",
            f"# TYPE {metric} gauge",
        ]
        for name, m in snap.items():
            lag = (now - m.last_success).total_seconds() if m.last_success else -1.0
            lines.append(f"{metric}{{{_labels(name)}}} {lag:.3f}")
        return "\n".join(lines) + "\n"
