"""The sync contract: one suite, run against every built-in connector and the sandbox.

For each CRM: a full sync equals the sandbox's world record for record; after churn an
incremental sync ends with the same store as a from-scratch sync (changes, the same-timestamp
burst, late commits and deletes included); a sync under injected faults ends with the same
store as a clean one; a sync killed with SIGKILL at random points and restarted ends with the
same store as a clean one. The first two also run on PostgreSQL when
``CRMSYNC_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from connectors.core.registry import available_connectors
from connectors.sandbox import ManualClock, Sandbox, SandboxOptions
from sync.config import load_config
from sync.engine import SyncOptions, sync_source
from sync.sources import build_connector
from tests.integration.sync_support import (
    STREAM_OBJECTS,
    expected_deal_contact_pairs,
    expected_live_ids,
    opened,
    postgres_schema,
    postgres_url,
    store_deal_contact_pairs,
    store_live_ids,
    store_snapshot,
    write_config,
)

CRMS = ["salesforce", "hubspot", "zoho"]
BACKENDS = ["sqlite", "postgresql"]


def _require(crm: str) -> None:
    if crm not in available_connectors():
        pytest.skip(f"the {crm} connector is not installed in this environment")


@contextmanager
def _store_url(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / name}.sqlite"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured: set CRMSYNC_TEST_POSTGRES_URL to run this")
    with postgres_schema(base) as url:
        yield url


def _sandbox(seed: int = 7, faults: str = "none") -> Sandbox:
    options = SandboxOptions(seed=seed, scale="tiny", faults=faults)
    return Sandbox(options, clock=ManualClock(options.anchor))


def _sync(config_path: Path, crm: str, full: bool = False) -> list:
    config = load_config(config_path)
    source = config.source(crm)
    connector = build_connector(source)
    try:
        with opened(config.store.url) as engine:
            report = sync_source(engine, source, connector, SyncOptions(full=full), now=_utc_now)
    finally:
        connector.close()
    assert report.status == "succeeded", [(s.stream, s.status, s.error) for s in report.streams]
    return report.streams


def _utc_now():  # the application clock for bookkeeping columns
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _assert_store_matches_world(sandbox: Sandbox, config_path: Path, crm: str) -> None:
    with opened(load_config(config_path).store.url) as engine:
        for stream in STREAM_OBJECTS[crm]:
            live = store_live_ids(engine, crm, stream)
            assert live == expected_live_ids(sandbox, crm, stream), stream
        pairs = store_deal_contact_pairs(engine, crm)
        assert pairs == expected_deal_contact_pairs(sandbox, crm)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_full_sync_equals_the_world(crm: str, backend: str, tmp_path: Path) -> None:
    _require(crm)
    with _sandbox() as sandbox, _store_url(backend, tmp_path, "full") as url:
        config = write_config(sandbox, tmp_path, url, (crm,))
        streams = _sync(config, crm)
        assert sum(s.counts.quarantined for s in streams) == 0
        _assert_store_matches_world(sandbox, config, crm)
        again = _sync(config, crm)  # nothing changed: nothing written
        assert sum(s.counts.inserted + s.counts.updated for s in again) == 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_incremental_sync_after_churn_equals_a_fresh_sync(
    crm: str, backend: str, tmp_path: Path
) -> None:
    _require(crm)
    with (
        _sandbox() as sandbox,
        _store_url(backend, tmp_path, "inc") as url,
        _store_url(backend, tmp_path, "fresh") as fresh_url,
    ):
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        config = write_config(sandbox, tmp_path / "a", url, (crm,))
        full = _sync(config, crm)
        sandbox.clock.advance(120)  # type: ignore[attr-defined]
        report = sandbox.churn(
            changes=80,
            seed=11,
            burst=10_050 if crm == "hubspot" else 0,
            late_commits=25 if crm == "salesforce" else 0,
        )
        sandbox.clock.advance(120)  # type: ignore[attr-defined]
        incremental = _sync(config, crm)
        _assert_store_matches_world(sandbox, config, crm)
        fresh = write_config(sandbox, tmp_path / "b", fresh_url, (crm,))
        _sync(fresh, crm, full=True)
        assert store_snapshot(url, live_only=True) == store_snapshot(fresh_url, live_only=True)
        changed = len(report.changes) if hasattr(report, "changes") else 80
        written = sum(s.counts.inserted + s.counts.updated + s.counts.deleted for s in incremental)
        assert written >= 1
        if crm != "hubspot":  # the burst makes HubSpot's incremental big on purpose
            full_fetched = sum(s.counts.fetched for s in full)
            assert sum(s.counts.fetched for s in incremental) < full_fetched // 2 + changed


@pytest.mark.parametrize("crm", CRMS)
def test_sync_under_faults_ends_like_a_clean_one(crm: str, tmp_path: Path) -> None:
    _require(crm)
    stores = {}
    for profile in ("none", "flaky"):
        with _sandbox(faults=profile) as sandbox:
            if profile == "flaky":
                sandbox.apps[crm].faults.configure("flaky", 0.15)
            (tmp_path / profile).mkdir()
            url = f"sqlite:///{tmp_path / profile / 'store.sqlite'}"
            config = write_config(sandbox, tmp_path / profile, url, (crm,))
            _sync(config, crm)
            stores[profile] = store_snapshot(url)
    assert stores["flaky"] == stores["none"]


@pytest.mark.parametrize("crm", CRMS)
def test_sync_killed_at_random_points_resumes_to_a_clean_store(crm: str, tmp_path: Path) -> None:
    _require(crm)
    with _sandbox(seed=9) as sandbox:
        (tmp_path / "clean").mkdir()
        clean_url = f"sqlite:///{tmp_path / 'clean' / 'store.sqlite'}"
        _sync(write_config(sandbox, tmp_path / "clean", clean_url, (crm,)), crm)
        clean = store_snapshot(clean_url)
        for seed in (1, 2, 3):
            work = tmp_path / f"killed{seed}"
            work.mkdir()
            url = f"sqlite:///{work / 'store.sqlite'}"
            config = write_config(sandbox, work, url, (crm,))
            rng = random.Random(seed)
            for _ in range(3):
                proc = subprocess.Popen(
                    [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(rng.uniform(0.8, 2.5))  # imports take ~0.7 s
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
            final = subprocess.run(
                [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert final.returncode == 0, final.stderr
            assert store_snapshot(url) == clean
