"""The sync daemon against the sandbox: schedules, run locks, back-off, health, SIGTERM."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.daemon import Daemon
from sync.locks import AdvisoryRunLock, FileRunLock, holder_name, run_lock
from sync.pull.runs import RunLedger
from sync.store import open_store
from sync.store.bookkeeping import RunRow, StreamStateRow
from tests import cli_process
from tests.integration.contract_suite import run_sync
from tests.integration.sync_support import (
    opened,
    postgres_schema,
    postgres_url,
    store_differences,
    store_snapshot,
    write_config,
    zoho_at,
)

GOOD = ("salesforce", "hubspot", "zoho")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _daemon_config(
    sandbox: Sandbox, directory: Path, schedule: dict[str, Any], broken: bool = False
) -> Path:
    path = write_config(sandbox, directory, f"sqlite:///{directory / 'store.sqlite'}")
    config = yaml.safe_load(path.read_text())
    if broken:
        zoho = next(s for s in config["sources"] if s["name"] == "zoho")
        denied = {"auth": {**zoho["auth"], "refresh_token": "revoked"}}  # fails at once
        # nothing listens on the closed port: every call is refused, then retried
        config["sources"].append(zoho_at(config, "broken", _closed_port()))
        config["sources"].append({**zoho, "name": "denied", **denied})
    config["schedule"] = schedule
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _runs(engine: Engine) -> list[Any]:
    runs = RunRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return list(conn.execute(select(runs).order_by(runs.c.id)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_every_due_job_runs_none_overlaps_and_failing_sources_do_not_stop_the_others(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    schedule = {
        "default": {"every": "1s"},
        "backoff_initial": "2s",
        "backoff_max": "8s",
        "stop_timeout": "30s",
    }
    config = load_config(_daemon_config(sandbox, tmp_path, schedule, broken=True))
    with opened(config.store.url) as engine:
        daemon = Daemon(config, engine, health_port=_free_port())
        assert daemon.health is not None
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(daemon.run(handle_signals=False)))
        thread.start()
        try:
            time.sleep(7.2)
            base = f"http://127.0.0.1:{daemon.health.port}"
            with requests.Session() as http:
                health = http.get(f"{base}/healthz", timeout=5)
                metrics = http.get(f"{base}/metrics", timeout=5)
                missing = http.get(f"{base}/nope", timeout=5)
        finally:
            daemon.stop()
            thread.join(timeout=60)
        assert result == [0]
        rows = _runs(engine)
    # "denied" is unhealthy once it failed alerts.after_failures (3) times in a row.
    failed = health.json()["sources"]["denied"]["consecutive_failures"]
    assert (health.status_code, health.json()["status"]) == (
        (503, "unhealthy") if failed >= 3 else (200, "ok")
    )
    assert sorted(health.json()["sources"]) == sorted(["broken", "denied", *GOOD])
    assert health.json()["sources"]["broken"]["running"] is True  # still retrying
    assert metrics.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert missing.status_code == 404
    by_source: dict[str, list[Any]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    for name in GOOD:
        runs = by_source[name]
        # Due every second for ~7 s; a tiny sandbox's run takes well under a second.
        assert len(runs) >= 4, name
        assert {r.status for r in runs[:-1]} == {"succeeded"}, name
        assert runs[-1].status in ("succeeded", "partial"), name  # the stop may land inside
        spans = [(r.started_at, r.finished_at) for r in runs]
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end is not None and end <= start, f"{name}: runs overlap"
    # Refused connections are retried by the connector for ~12 s: one run, still waiting to
    # retry when the daemon stopped, which ended the wait (a stop, not a failure), while the
    # other sources kept their schedule.
    assert [r.status for r in by_source["broken"]] == ["partial"]
    assert (by_source["broken"][0].error or "").startswith("stopped by a shutdown signal")
    # Fails at once, then backs off 2 s and 4 s though due every second: 2 or 3 attempts.
    denied = by_source["denied"]
    assert {r.status for r in denied} == {"failed"}
    assert len(denied) in (2, 3)
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(denied)]
    assert gaps[0] >= 2.0
    snap = daemon.metrics.snapshot()
    assert snap["denied"].failures == len(denied)
    assert snap["denied"].consecutive_failures == len(denied)
    assert snap["denied"].skipped >= 3
    assert snap["salesforce"].failures == 0
    assert snap["salesforce"].runs == len(by_source["salesforce"])
    scraped = {
        (sample.name, sample.labels["source"]): sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
    }
    assert scraped[("crmsync_sync_failures_total", "salesforce")] == 0
    assert scraped[("crmsync_sync_lag_seconds", "denied")] == -1
    assert scraped[("crmsync_sync_running", "broken")] == 1
    assert ("crmsync_sync_consecutive_failures", "denied") in scraped


def test_healthz_is_503_and_names_the_jobs_failing_past_their_threshold_or_lagging(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    schedule = {"default": {"every": "1h"}, "max_lag": "90m"}
    path = _daemon_config(sandbox, tmp_path, schedule, broken=True)
    config = yaml.safe_load(path.read_text())
    config["sources"] = [s for s in config["sources"] if s["name"] != "denied"]
    config["alerts"] = {"after_failures": 1}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    frozen: list[datetime] = []

    def clock() -> datetime:
        return frozen[-1] if frozen else datetime.now(UTC)

    config = load_config(path)
    with opened(config.store.url) as engine, requests.Session() as http:
        daemon = Daemon(config, engine, health_port=_free_port(), now=clock)
        assert daemon.health is not None
        url = f"http://127.0.0.1:{daemon.health.port}/healthz"
        thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
        thread.start()
        try:
            _wait_until(
                lambda: all(daemon.metrics.snapshot()[n].last_success for n in GOOD), "syncs"
            )
            healthy = http.get(url, timeout=5)
            # Nothing listens on broken's port: it fails once its retries are spent (~12 s).
            _wait_until(lambda: daemon.metrics.snapshot()["broken"].failures == 1, "a failure")
            failing = http.get(url, timeout=5)
            frozen.append(datetime.now(UTC) + timedelta(hours=2))
            lagging = http.get(url, timeout=5)
            frozen.clear()
        finally:
            daemon.stop()
            thread.join(timeout=60)
    assert (healthy.status_code, healthy.json()["status"], healthy.json()["problems"]) == (
        200,
        "ok",
        {},
    )
    assert failing.status_code == 503
    assert failing.headers["Content-Type"] == "application/json"
    assert (failing.json()["status"], failing.json()["problems"]) == (
        "unhealthy",
        {"broken": "failed 1 time in a row (alerts.after_failures: 1)"},
    )
    late = "no success for more than 1h30m (schedule.max_lag)"
    assert (lagging.status_code, lagging.json()["problems"]) == (
        503,
        {
            "broken": f"failed 1 time in a row (alerts.after_failures: 1); {late}",
            **{name: late for name in GOOD},
        },
    )


def _wait_until(condition: Any, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_held_run_lock_skips_the_daemon_run_and_names_its_holder(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = _daemon_config(sandbox, tmp_path, {"default": {"every": "1s"}})
    config = load_config(path)
    with opened(config.store.url) as engine:
        lock = run_lock(engine, "hubspot")
        assert isinstance(lock, FileRunLock)
        assert lock.try_acquire()
        try:
            holder = lock.holder()
            assert holder is not None and holder.pid == os.getpid()
            cli = cli_process.run(
                [sys.executable, "-m", "sync", "sync", "--config", str(path), "-s", "hubspot"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert cli.returncode == 1
            assert f"hubspot (being synced by pid {os.getpid()} on" in cli.stderr
            daemon = Daemon(config, engine)
            thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
            thread.start()
            time.sleep(2.5)
            daemon.stop()
            thread.join(timeout=30)
            assert daemon.metrics.snapshot()["hubspot"].skipped >= 2
            assert "hubspot" not in {r.source for r in _runs(engine)}
            assert {"salesforce", "zoho"} <= {r.source for r in _runs(engine)}
        finally:
            lock.release()
        assert lock.holder() is None


def test_a_killed_holder_does_not_keep_the_lock(tmp_path: Path) -> None:
    lock_path = tmp_path / "store.sqlite.zoho.lock"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sync.locks import FileRunLock\n"
        f"lock = FileRunLock(Path({str(lock_path)!r}), 'zoho')\n"
        "assert lock.try_acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        lock = FileRunLock(lock_path, "zoho")
        assert not lock.try_acquire()
        seen = lock.holder()
        assert seen is not None and seen.pid == holder.pid
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        # the refusal keeps naming who refused it after that holder is gone
        assert lock.refused_by == seen and holder_name(lock).startswith(f"pid {holder.pid} on ")
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert lock.try_acquire()
    lock.release()


def test_sigterm_mid_sync_exits_cleanly_and_a_restart_resumes_to_a_clean_store(
    tmp_path: Path,
) -> None:
    options = SandboxOptions(seed=9, scale="small", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        (tmp_path / "clean").mkdir()
        clean_config = write_config(
            sandbox, tmp_path / "clean", f"sqlite:///{tmp_path / 'clean' / 'store.sqlite'}"
        )
        for crm in GOOD:
            run_sync(clean_config, crm)
        clean = store_snapshot(load_config(clean_config).store.url)
        work = tmp_path / "daemon"
        work.mkdir()
        path = _daemon_config(sandbox, work, {"default": {"every": "1h"}})
        url = load_config(path).store.url
        command = [sys.executable, "-m", "sync", "daemon", "--config", str(path), "--json-logs"]
        first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_committed_pages(url, first)
            started = time.monotonic()
            first.send_signal(signal.SIGTERM)
            _, logs = first.communicate(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
        assert first.returncode == 0, logs
        assert time.monotonic() - started < 20
        assert '"message":"stopped cleanly"' in logs
        with opened(url) as engine:
            stopped = _runs(engine)
        assert "running" not in {r.status for r in stopped}
        assert any(r.status == "partial" and "shutdown" in (r.error or "") for r in stopped)
        assert store_snapshot(url) != clean  # the stop really landed inside a run

        second = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with opened(url) as engine:
                    done = {r.source for r in _runs(engine)[len(stopped) :] if r.finished_at}
                if done >= set(GOOD):
                    break
                time.sleep(0.5)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0
        finally:
            if second.poll() is None:
                second.kill()
                second.wait()
        with opened(url) as engine:
            resumed = _runs(engine)[len(stopped) :]
        assert sorted((r.source, r.status) for r in resumed) == [
            (name, "succeeded") for name in sorted(GOOD)
        ]
        assert store_differences(store_snapshot(url), clean) == []


def test_runs_left_open_by_a_killed_daemon_are_closed_as_aborted_on_restart(
    tmp_path: Path,
) -> None:
    options = SandboxOptions(seed=9, scale="small", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        path = _daemon_config(sandbox, tmp_path, {"default": {"every": "1h"}})
        url = load_config(path).store.url
        command = [sys.executable, "-m", "sync", "daemon", "--config", str(path)]
        first = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            _wait_for_committed_pages(url, first)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        with opened(url) as engine:
            killed = {r.id: r.source for r in _runs(engine) if r.status == "running"}
            assert set(killed.values()) & {"salesforce", "hubspot"}  # the kill landed mid-run
            # A run of zoho by a live process (this one, holding zoho's run lock) stays open.
            held = run_lock(engine, "zoho")
            assert held.try_acquire()
            try:
                live = RunLedger(engine, "zoho", datetime.now(UTC), full=False, dry_run=False)
                second = subprocess.Popen(command, stderr=subprocess.DEVNULL)
                try:
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline:
                        done = {r.source for r in _runs(engine) if r.id > live.run_id}
                        if {"salesforce", "hubspot"} <= done and all(
                            r.finished_at for r in _runs(engine) if r.id > live.run_id
                        ):
                            break
                        time.sleep(0.5)
                    second.send_signal(signal.SIGTERM)
                    assert second.wait(timeout=30) == 0
                finally:
                    if second.poll() is None:
                        second.kill()
                        second.wait()
                rows = {r.id: r for r in _runs(engine)}
            finally:
                held.release()
    for run_id, source in killed.items():
        row = rows[run_id]
        if source == "zoho":  # its lock was held: not known to be dead
            assert (row.status, row.finished_at) == ("running", None)
        else:
            assert (row.status, row.error) == ("aborted", "process ended without closing the run")
            assert row.finished_at is not None
    assert rows[live.run_id].status == "running"
    resumed = sorted((r.source, r.status) for r in rows.values() if r.id > live.run_id)
    assert resumed == [("hubspot", "succeeded"), ("salesforce", "succeeded")]


def _wait_for_committed_pages(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    db = Path(url.removeprefix("sqlite:///"))
    states = StreamStateRow.__table__  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the daemon exited early"
        if db.exists():
            # Not migrating: the daemon may be creating the schema right now.
            engine = open_store(url, migrate_schema=False)
            try:
                with engine.connect() as conn:
                    if conn.execute(select(states.c.source)).first() is not None:
                        return
            except OperationalError:
                pass  # no table yet
            finally:
                engine.dispose()
        time.sleep(0.1)
    raise AssertionError("no page was committed within 60 s")


def test_the_postgresql_run_lock_is_exclusive_and_names_its_holder() -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured: set CRMSYNC_TEST_POSTGRES_URL to run this")
    with postgres_schema(base) as url, opened(url) as engine:
        first, second = run_lock(engine, "zoho"), run_lock(engine, "zoho")
        assert isinstance(first, AdvisoryRunLock)
        assert first.holder() is None
        assert first.try_acquire()
        try:
            assert not second.try_acquire()
            holder = second.holder()
            assert holder is not None
            assert holder.pid == os.getpid()
            assert holder.host and socket.gethostname().startswith(holder.host)  # may be cut
            other = run_lock(engine, "hubspot")
            assert other.try_acquire()  # one lock per source
            other.release()
        finally:
            first.release()
        assert second.holder() is None
        assert holder_name(second).startswith(f"pid {os.getpid()} on ")  # read when refused
        assert second.try_acquire()
        second.release()
        assert first.holder() is None


def test_postgresql_run_locks_of_stores_in_other_schemas_are_independent() -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured: set CRMSYNC_TEST_POSTGRES_URL to run this")
    with (
        postgres_schema(base) as url_a,
        postgres_schema(base) as url_b,
        opened(url_a) as engine_a,
        opened(url_b) as engine_b,
    ):
        tenant_a, tenant_b = run_lock(engine_a, "zoho"), run_lock(engine_b, "zoho")
        assert tenant_a.try_acquire()
        try:
            assert tenant_b.try_acquire()  # same source name, another store
            assert tenant_b.holder() is not None
            tenant_b.release()
            assert tenant_b.holder() is None
            assert tenant_a.holder() is not None
        finally:
            tenant_a.release()
