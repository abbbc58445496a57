"""The daemon's ``/metrics``, scraped over HTTP and read with prometheus_client's parser."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, select

from sandbox import Sandbox
from sync.config import load_config
from sync.daemon import Daemon
from sync.store.bookkeeping import RunRow, RunStreamRow
from tests.integration.sync_support import opened, write_config

SOURCES = ("salesforce", "hubspot", "zoho")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _samples(text: str) -> dict[tuple[str, str], float]:
    """Every sample as {(sample name, source label): value}; every family is known."""
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, sample.labels["source"])] = sample.value
    return found


def _records_read(engine: Engine) -> dict[str, int]:
    """Records fetched by each source's runs, from the store's run ledger."""
    runs = RunRow.__table__  # type: ignore[attr-defined]
    streams = RunStreamRow.__table__  # type: ignore[attr-defined]
    query = select(runs.c.source, streams.c.fetched).join(streams, streams.c.run_id == runs.c.id)
    totals: dict[str, int] = {}
    with engine.connect() as conn:
        for source, fetched in conn.execute(query):
            totals[source] = totals.get(source, 0) + fetched
    return totals


def test_metrics_over_http_count_exactly_the_runs_the_daemon_made(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    config = yaml.safe_load(path.read_text())
    config["schedule"] = {"default": {"every": "1h"}}  # one run each, at the daemon's start
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    loaded = load_config(path)
    with opened(loaded.store.url) as engine, requests.Session() as http:
        daemon = Daemon(loaded, engine, health_port=_free_port())
        assert daemon.health is not None
        thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
        thread.start()
        try:
            deadline = time.monotonic() + 90
            while not all(m.last_success for m in daemon.metrics.snapshot().values()):
                assert time.monotonic() < deadline, "timed out waiting for the first runs"
                time.sleep(0.1)
            while any(m.running for m in daemon.metrics.snapshot().values()):
                time.sleep(0.05)
            scraped = http.get(f"http://127.0.0.1:{daemon.health.port}/metrics", timeout=5)
            open_metrics = http.get(
                f"http://127.0.0.1:{daemon.health.port}/metrics",
                headers={"Accept": "application/openmetrics-text; version=1.0.0"},
                timeout=5,
            )
        finally:
            daemon.stop()
            thread.join(timeout=60)
        records = _records_read(engine)
    assert scraped.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert open_metrics.headers["Content-Type"].startswith("application/openmetrics-text")
    assert open_metrics.text.endswith("# EOF\n")
    samples = _samples(scraped.text)
    assert sorted(records) == sorted(SOURCES)
    for source in SOURCES:
        assert samples[("crmsync_sync_runs_total", source)] == 1.0
        assert samples[("crmsync_sync_failures_total", source)] == 0.0
        assert samples[("crmsync_sync_skipped_total", source)] == 0.0
        assert samples[("crmsync_sync_records_total", source)] == records[source]
        assert samples[("crmsync_sync_consecutive_failures", source)] == 0.0
        assert samples[("crmsync_sync_running", source)] == 0.0
        assert samples[("crmsync_sync_api_calls_total", source)] >= 1.0
        assert 0.0 <= samples[("crmsync_sync_lag_seconds", source)] < 90.0
    assert records["salesforce"] > 0
    names = {name for name, _ in samples}
    assert names == {
        "crmsync_sync_runs_total",
        "crmsync_sync_failures_total",
        "crmsync_sync_skipped_total",
        "crmsync_sync_records_total",
        "crmsync_sync_api_calls_total",
        "crmsync_sync_consecutive_failures",
        "crmsync_sync_running",
        "crmsync_api_quota_remaining",
        "crmsync_sync_lag_seconds",
    }
