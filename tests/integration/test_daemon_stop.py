"""A stop is heard at once and ends the process: the first SIGTERM is handled while the
store keeps the daemon's writes waiting, and a process that cannot end on its own is ended
by the watchdog with every thread's stack in its log."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from connectors.core.errors import RetriableError
from connectors.core.retry import RetryPolicy
from connectors.core.stopping import clear_stop, request_stop
from sandbox import Sandbox
from sync.config.alerts import AlertsConfig
from sync.daemon.alerts import Alerter
from sync.daemon.backoff import Backoff
from sync.daemon.job_base import JobContext, JobOutcome, ScheduledJob
from sync.daemon.jobstate import JobStates
from sync.daemon.metrics import DaemonMetrics
from sync.locks import run_lock
from sync.store import open_store
from tests import cli_process
from tests.integration.sync_support import wait_for, write_config, zoho_at


@contextmanager
def _daemon(path: Path, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``crmsync daemon`` on ``path``, logging to ``log_path``; killed if still there."""
    with open(log_path, "w") as log_file:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "sync", "daemon", "--config", str(path)], stderr=log_file
        )
    try:
        yield daemon
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def _heartbeats(store: Path) -> list[str | None]:
    with sqlite3.connect(store, timeout=30) as database:
        rows = database.execute("SELECT heartbeat_at FROM daemon_jobs ORDER BY job")
        return [row[0] for row in rows]


def _beating(store: Path) -> bool:
    try:
        beats = _heartbeats(store)
    except sqlite3.OperationalError:  # the daemon is still making the store
        return False
    return bool(beats) and all(beats)


def test_a_stop_is_heard_while_the_store_holds_the_heartbeat_and_ends_cleanly(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite"
    path = write_config(sandbox, tmp_path, f"sqlite:///{store}")
    config = yaml.safe_load(path.read_text())
    # Due once a year: no sync runs, the heartbeat is the daemon's only writer.
    config["schedule"] = {"default": {"cron": "0 0 1 1 *"}, "heartbeat": "100ms"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    log_path = tmp_path / "daemon.log"
    with _daemon(path, log_path) as daemon:
        wait_for(lambda: _beating(store), 60, "a heartbeat")
        writer = sqlite3.connect(store, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # the store's write lock, held (busy_timeout 30 s)
        time.sleep(0.5)  # the next heartbeat now waits for it
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: "SIGTERM: stopping" in log_path.read_text(), 5, "the signal's log line")
        assert daemon.poll() is None  # the clean stop waits for the heartbeat's last write
        writer.execute("COMMIT")
        writer.close()
        wait_for(lambda: daemon.poll() is not None, 30, "the stop")
    logs = log_path.read_text()
    assert daemon.returncode == 0, logs
    assert "stopped cleanly" in logs
    assert _heartbeats(store) == [None, None, None]  # a stopped daemon promises no runs


def test_a_stop_ends_a_run_waiting_to_retry_at_once(sandbox: Sandbox, tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    path = write_config(sandbox, tmp_path, f"sqlite:///{store}")
    config = yaml.safe_load(path.read_text())
    # Nothing listens there: each attempt is refused at once and the run spends its time in
    # the retry policy's back-off (0.5 s, 1 s, 2 s, ... up to 30 s between attempts).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config["sources"] = [zoho_at(config, "unreachable", port)]
    config["schedule"] = {"default": {"every": "1h"}, "stop_timeout": "120s"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    log_path = tmp_path / "daemon.log"
    with _daemon(path, log_path) as daemon:
        wait_for(lambda: "unreachable: sync started" in log_path.read_text(), 60, "the run")
        time.sleep(4)  # three refusals: the run now waits 2-4 s before its fourth attempt
        signalled = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: daemon.poll() is not None, 30, "the stop")
        seconds = time.monotonic() - signalled
    logs = log_path.read_text()
    assert daemon.returncode == 0, logs
    assert seconds < 3, logs  # not the rest of the back-off, nor the 120 s stop timeout
    assert "unreachable: stopped by a shutdown signal; the next run resumes" in logs
    with sqlite3.connect(store) as database:
        runs = database.execute("SELECT status, error FROM sync_runs").fetchall()
        job = database.execute(
            "SELECT last_status, consecutive_failures FROM daemon_jobs WHERE job = 'unreachable'"
        ).fetchall()
    assert [status for status, _ in runs] == ["partial"]
    assert runs[0][1].startswith("stopped by a shutdown signal")
    assert job == [("stopped", 0)]  # a stop is no failure: no back-off at the next start


def _run(script: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = cli_process.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, time.monotonic() - started


_STOPPED = """
    import os, signal, threading
    from sync.daemon.signals import StopSignals

    stop = threading.Event()
    signals = StopSignals(stop, watchdog_s=1.0)
    signals.install()
    os.kill(os.getpid(), signal.SIGTERM)
    assert stop.is_set()
"""


def test_the_watchdog_ends_a_process_whose_stop_hangs_and_shows_where() -> None:
    done, seconds = _run(
        _STOPPED
        + """
    def a_call_that_never_returns():
        threading.Event().wait()

    a_call_that_never_returns()
    """
    )
    assert done.returncode == 1
    assert seconds < 20
    assert "Timeout (0:00:01)!" in done.stderr
    assert "in a_call_that_never_returns" in done.stderr


def test_restoring_the_handlers_calls_the_watchdog_off() -> None:
    done, seconds = _run(
        _STOPPED
        + """
    signals.restore()
    threading.Event().wait(2.5)
    print("still here")
    """
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "still here\n", "")
    assert seconds >= 2.5


def test_restoring_the_handlers_leaves_a_timer_they_did_not_set() -> None:
    done, _seconds = _run(
        """
    import faulthandler, threading
    from sync.daemon.signals import StopSignals

    faulthandler.dump_traceback_later(1.0, exit=True)  # the process's own, e.g. a test run's
    stop = threading.Event()
    signals = StopSignals(stop, watchdog_s=60.0)
    signals.install()
    stop.set()  # a stop asked in code (Daemon.stop), not by a signal
    signals.restore()
    threading.Event().wait(10)
    print("the process's timer was called off")
    """
    )
    assert done.returncode == 1
    assert "Timeout (0:00:01)!" in done.stderr
    assert done.stdout == ""


def _now() -> datetime:
    return datetime.now(UTC)


class _RateLimitedStep(ScheduledJob):
    """A job whose one call the CRM keeps answering 429, ``Retry-After: 60`` (as a push's
    write-back does when the CRM's rate limit is used up)."""

    job_id = "step:push"
    lock_name = "step-push"

    def run_once(self) -> JobOutcome:
        def call() -> None:
            raise RetriableError("429 Too Many Requests", status=429, retry_after=60)

        RetryPolicy().call(call)
        return JobOutcome("succeeded")


def test_a_step_waiting_to_retry_ends_stopped_when_the_daemon_stops(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    context = JobContext(
        engine,
        DaemonMetrics(["step:push"], _now),
        Backoff(timedelta(minutes=1), timedelta(hours=1)),
        threading.Event(),
        _now,
        JobStates(engine),
        Alerter(AlertsConfig(), None),
    )
    job = _RateLimitedStep(context)
    thread = threading.Thread(target=job)
    try:
        thread.start()
        wait_for(lambda: context.metrics.snapshot()["step:push"].running, 10, "the step")
        request_stop()  # what the daemon's stop does
        thread.join(5)
        assert not thread.is_alive()  # the 60 s wait was cut short
    finally:
        clear_stop()
        thread.join()
    try:
        [row] = JobStates(engine).rows()
        assert (row.last_status, row.consecutive_failures, row.backoff_until) == (
            "stopped",
            0,
            None,
        )  # a stop, no failure: no back-off at the next start
        assert row.last_error == (
            "stopped by a shutdown signal while waiting to retry; the next run goes on"
        )
        lock = run_lock(engine, "step-push")
        assert lock.try_acquire()  # released
        lock.release()
    finally:
        engine.dispose()
