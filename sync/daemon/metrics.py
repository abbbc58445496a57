"""Per-source counters of the daemon, exposed through prometheus_client.

The counters live here (the health check and shutdown read them too); at each scrape a
custom collector turns a snapshot of them into metric families in a registry of the daemon's
own, and prometheus_client renders them (text format 0.0.4, or OpenMetrics when asked).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import CollectorRegistry

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


# (name, kind, help, SourceMetrics attribute): the names and labels of the hand-written
# exposition this replaced, so dashboards and alerts keep working. A counter's name here
# lacks its ``_total`` suffix, which prometheus_client adds to the sample.
_FAMILIES = [
    ("crmsync_sync_runs", "counter", "Sync runs started.", "runs"),
    ("crmsync_sync_failures", "counter", "Sync runs that did not succeed.", "failures"),
    ("crmsync_sync_skipped", "counter", "Due runs skipped (locked or backing off).", "skipped"),
    ("crmsync_sync_records", "counter", "Records read.", "records"),
    ("crmsync_sync_api_calls", "counter", "CRM API calls made.", "api_calls"),
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


def _labels(job: str) -> dict[str, str]:
    # Sources keep the label they always had; later steps are labelled by step.
    if job.startswith("step:"):
        return {"step": job.removeprefix("step:")}
    return {"source": job}


class DaemonMetrics:
    """Thread-safe counters, one set per job (a source name or ``step:<name>``)."""

    def __init__(self, sources: list[str], now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._sources = {name: SourceMetrics() for name in sources}
        self._registry: CollectorRegistry | None = None

    @property
    def registry(self) -> CollectorRegistry:
        """This daemon's own registry (never prometheus_client's global one), holding only
        these counters; made on first use so other commands never import the library."""
        if self._registry is None:
            from prometheus_client.registry import CollectorRegistry

            self._registry = CollectorRegistry(auto_describe=False)
            self._registry.register(self)
        return self._registry

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

    def collect(self) -> Iterator[Metric]:
        """The metric families of the current counters (a prometheus_client collector)."""
        from prometheus_client.metrics_core import Metric  # the daemon's only: kept lazy

        snap = self.snapshot()
        now = self._now()
        for name, kind, help_text, attr in _FAMILIES:
            family = Metric(name, help_text, kind)
            sample = f"{name}_total" if kind == "counter" else name
            for job, m in snap.items():
                family.add_sample(sample, _labels(job), float(getattr(m, attr)))
            yield family
        lag = Metric(
            "crmsync_sync_lag_seconds",
            "Seconds since the last successful run (-1: never).",
            "gauge",
        )
        for job, m in snap.items():
            seconds = (now - m.last_success).total_seconds() if m.last_success else -1.0
            lag.add_sample(lag.name, _labels(job), seconds)
        yield lag

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The body and content type of a scrape; ``accept`` (the request's Accept header)
        picks the Prometheus text format 0.0.4 (the default) or OpenMetrics."""
        from prometheus_client.exposition import choose_encoder

        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type

    def render(self) -> str:
        """Prometheus text exposition format 0.0.4."""
        return self.exposition()[0].decode()
