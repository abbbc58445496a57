"""Operating the daemon: status with next runs, back-off across restarts, alerts by e-mail
(real SMTP on loopback), configuration reload on SIGHUP, and the second signal."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller

from sandbox import Sandbox
from sync.config import load_config
from sync.config.mail import EmailConfig
from sync.daemon import Daemon
from sync.daemon.alert_mail import smtp_alert_sender
from sync.daemon.app import config_file_loader
from sync.status import collect_jobs
from tests.integration.sync_support import opened, wait_for, write_config, zoho_at

GOOD = ("salesforce", "hubspot", "zoho")
HEARTBEAT = timedelta(milliseconds=200)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture()
def smtp() -> Iterator[tuple[Controller, _Inbox]]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_closed_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def _config(sandbox: Sandbox, directory: Path, schedule: dict[str, Any], **extra: Any) -> Path:
    path = write_config(sandbox, directory, f"sqlite:///{directory / 'store.sqlite'}")
    config = yaml.safe_load(path.read_text())
    zoho = next(s for s in config["sources"] if s["name"] == "zoho")
    # Refused at once by the token endpoint: a source that fails on every run.
    config["sources"].append(
        {**zoho, "name": "denied", "auth": {**zoho["auth"], "refresh_token": "revoked"}}
    )
    config["schedule"] = schedule
    config.update(extra)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_status_shows_next_runs_backoff_survives_a_restart_and_one_alert_is_sent(
    sandbox: Sandbox, tmp_path: Path, smtp: tuple[Controller, _Inbox]
) -> None:
    controller, inbox = smtp
    schedule = {
        "default": {"every": "1h"},
        "backoff_initial": "1h",
        "backoff_max": "2h",
        "heartbeat": "200ms",
    }
    alerts = {"email_to": ["revops@example.com"], "after_failures": 1}
    config = load_config(_config(sandbox, tmp_path, schedule, alerts=alerts))
    email = EmailConfig(
        host="127.0.0.1", port=controller.port, security="none", from_address="crmsync@example.com"
    )
    send = smtp_alert_sender(email)
    with opened(config.store.url) as engine:
        first = Daemon(config, engine, send_alert=send)
        started = datetime.now(UTC)
        thread = threading.Thread(target=first.run, kwargs={"handle_signals": False})
        thread.start()
        try:

            def settled() -> bool:
                snap = first.metrics.snapshot()
                done = all(snap[n].last_success is not None for n in GOOD)
                return done and snap["denied"].failures == 1

            wait_for(settled, 60, "every source's first run")
            time.sleep(0.5)  # a heartbeat after the last run
            jobs = {j["job"]: j for j in collect_jobs(engine, datetime.now(UTC), HEARTBEAT)}
        finally:
            first.stop()
            thread.join(timeout=60)
        assert sorted(jobs) == sorted([*GOOD, "denied"])
        for name in GOOD:
            job = jobs[name]
            assert (job["schedule"], job["last_status"], job["consecutive_failures"]) == (
                "every 1h",
                "succeeded",
                0,
            )
            # Interval jobs run at start-up, then one interval later.
            assert abs(job["next_run_at"] - (started + timedelta(hours=1))) < timedelta(seconds=30)
            assert job["daemon"].endswith(f":{os.getpid()}")
        denied = jobs["denied"]
        assert (denied["last_status"], denied["consecutive_failures"]) == ("failed", 1)
        assert denied["backoff_until"] - started < timedelta(hours=1, seconds=30)
        assert denied["last_error"] == (
            "failed: Zoho refused the OAuth credentials (invalid_code): check client_id, "
            "client_secret and refresh_token, and the accounts_url of the org's data centre"
        )

        stopped = {j["job"]: j for j in collect_jobs(engine, datetime.now(UTC), HEARTBEAT)}
        assert {j["next_run_at"] for j in stopped.values()} == {None}
        assert {j["daemon"] for j in stopped.values()} == {"not running"}

        # A restarted daemon keeps backing off: no new attempt, no second alert.
        second = Daemon(config, engine, send_alert=send)
        thread = threading.Thread(target=second.run, kwargs={"handle_signals": False})
        thread.start()
        try:
            wait_for(lambda: second.metrics.snapshot()["denied"].skipped >= 1, 30, "a skipped run")
        finally:
            second.stop()
            thread.join(timeout=60)
        assert second.metrics.snapshot()["denied"].runs == 0

    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["revops@example.com"]
    assert message["Subject"] == "[crmsync] denied failed 1 time in a row"
    body = message.get_payload()
    assert "The crmsync job 'denied' has failed 1 time in a row." in body
    assert "revoked" not in body  # the secret itself never reaches the mail


def test_a_reload_keeps_the_timing_of_unchanged_jobs_and_reschedules_changed_ones(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = _config(sandbox, tmp_path, {"default": {"every": "1h"}, "heartbeat": "200ms"})
    config = load_config(path)
    frozen: list[datetime] = []

    def clock() -> datetime:
        return frozen[-1] if frozen else datetime.now(UTC)

    with opened(config.store.url) as engine:
        daemon = Daemon(config, engine, now=clock, reload_config=config_file_loader(path))
        thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
        thread.start()
        try:

            def settled() -> bool:
                snap = daemon.metrics.snapshot()
                done = all(snap[n].last_success is not None for n in GOOD)
                return done and snap["denied"].failures == 1

            wait_for(settled, 60, "every source's first run")
            before = daemon.next_runs()
            changed = yaml.safe_load(path.read_text())
            changed["schedule"]["sources"] = {
                "zoho": {"every": "2h"},
                "hubspot": {"cron": "0 4 * * *"},
                "salesforce": {"every": "1h", "misfire_grace": "5m"},  # same timing
            }
            path.write_text(yaml.safe_dump(changed, sort_keys=False))
            reloaded_at = datetime.now(UTC)
            frozen.append(reloaded_at)
            assert daemon.reload()
            after = daemon.next_runs()
            # The same file again, an hour later: nothing moves.
            frozen.append(reloaded_at + timedelta(hours=1))
            assert daemon.reload()
            again = daemon.next_runs()
            frozen.clear()
            time.sleep(1)  # time enough for a run made due by a reload to start
            runs = {name: m.runs for name, m in daemon.metrics.snapshot().items()}
        finally:
            daemon.stop()
            thread.join(timeout=60)
    four_am = reloaded_at.replace(hour=4, minute=0, second=0, microsecond=0)
    if four_am <= reloaded_at:
        four_am += timedelta(days=1)
    assert after == {
        "salesforce": before["salesforce"],
        "denied": before["denied"],
        "zoho": reloaded_at + timedelta(hours=2),
        "hubspot": four_am,
    }
    assert again == after
    assert runs == {"salesforce": 1, "hubspot": 1, "zoho": 1, "denied": 1}


def _daemon(path: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "sync", "daemon", "--config", str(path), "--json-logs"]
    return subprocess.Popen([*command, *extra], stderr=subprocess.PIPE, text=True)


def _jobs(url: str) -> dict[str, dict[str, Any]]:
    with opened(url) as engine:
        return {j["job"]: j for j in collect_jobs(engine, datetime.now(UTC), HEARTBEAT * 10)}


def test_sighup_applies_a_valid_config_and_refuses_an_invalid_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    schedule = {"default": {"every": "1h"}, "heartbeat": "200ms"}
    path = _config(sandbox, tmp_path, schedule)
    url = load_config(path).store.url
    daemon = _daemon(path)
    try:
        wait_for(lambda: set(_jobs(url)) == {*GOOD, "denied"}, 60, "the first schedule")
        config = yaml.safe_load(path.read_text())
        config["sources"] = [s for s in config["sources"] if s["name"] != "denied"]
        config["schedule"]["sources"] = {"zoho": {"cron": "0 4 * * *"}}
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        daemon.send_signal(signal.SIGHUP)

        def reloaded() -> bool:
            jobs = _jobs(url)
            return set(jobs) == set(GOOD) and jobs["zoho"]["schedule"] == "cron 0 4 * * *"

        try:
            wait_for(reloaded, 30, "the reloaded schedule")
        except AssertionError as exc:  # say what the daemon saw, not only that it timed out
            daemon.terminate()
            _, seen = daemon.communicate(timeout=60)
            raise AssertionError(f"{exc}; jobs {_jobs(url)}; daemon log:\n{seen[-4000:]}") from exc
        zoho_next = _jobs(url)["zoho"]["next_run_at"]
        assert (zoho_next.hour, zoho_next.minute) == (4, 0)

        broken = path.read_text().replace("cron: 0 4 * * *", "cron: every morning")
        path.write_text(broken)
        daemon.send_signal(signal.SIGHUP)
        time.sleep(2)
        assert daemon.poll() is None  # still running on the previous configuration
        assert _jobs(url)["zoho"]["schedule"] == "cron 0 4 * * *"
        daemon.send_signal(signal.SIGTERM)
        _, logs = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 0, logs
    assert '"message":"configuration reloaded: 3 jobs"' in logs
    refused = [line for line in logs.splitlines() if "reload refused" in line]
    assert len(refused) == 1
    assert "crmsync.yaml" in refused[0] and "schedule.sources.zoho.cron" in refused[0]
    assert "'every morning' is not a crontab expression" in refused[0]


HUMAN_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) \S+: ")


def test_a_reload_never_stops_the_daemon_and_each_refusal_is_one_log_line(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = _config(sandbox, tmp_path, {"default": {"every": "1h"}, "heartbeat": "200ms"})
    url = load_config(path).store.url
    good = path.read_text()
    broken = [
        good + "schedule: [\n",  # invalid YAML
        good.replace("every: 1h", "every: 1h\x07"),  # a control character
        good + "deep: " + "[" * 20000 + "]" * 20000 + "\n",  # nesting past the recursion limit
    ]
    log_path = tmp_path / "daemon.log"
    with open(log_path, "w") as log_file:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "sync", "daemon", "--config", str(path)], stderr=log_file
        )
    try:
        wait_for(lambda: set(_jobs(url)) == {*GOOD, "denied"}, 60, "the first schedule")
        for count, text in enumerate(broken, start=1):
            path.write_text(text)
            daemon.send_signal(signal.SIGHUP)
            wait_for(
                lambda n=count: (
                    log_path.read_text().count("reload refused") == n or daemon.poll() is not None
                ),
                30,
                f"refusal {count}",
            )
            assert daemon.poll() is None, log_path.read_text()
        assert set(_jobs(url)) == {*GOOD, "denied"}  # the running configuration is kept
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: daemon.poll() is not None, 60, "the stop")
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        logs = log_path.read_text().splitlines()
    assert daemon.returncode == 0, "\n".join(logs)
    assert [line for line in logs if not HUMAN_LINE.match(line)] == []  # one line per event
    refused = [line for line in logs if "reload refused" in line]
    assert len(refused) == 3
    prefix = " ERROR sync.daemon: reload refused, keeping the running configuration: "
    assert all(prefix in line for line in refused)
    end = len(good.splitlines()) + 2  # the line after "schedule: ["
    assert refused[0].endswith(
        f"{path}:{end}: not valid YAML: expected the node content, but found '<stream end>'"
    )


def test_a_second_sigterm_exits_at_once_and_leaves_a_usable_store(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}")
    config = yaml.safe_load(path.read_text())
    # A server that takes connections and never answers: the run is inside a call (not
    # between pages, not in a wait a stop cuts short) when the signals arrive.
    silent = socket.create_server(("127.0.0.1", 0), backlog=16)
    config["sources"] = [zoho_at(config, "unreachable", silent.getsockname()[1])]
    config["schedule"] = {"default": {"every": "1h"}, "stop_timeout": "120s"}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    url = load_config(path).store.url
    daemon = _daemon(path)
    try:
        wait_for(
            lambda: _jobs(url).get("unreachable", {}).get("last_status") == "running", 60, "run"
        )
        daemon.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert daemon.poll() is None  # the first signal waits for the run
        second = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        _, logs = daemon.communicate(timeout=30)
        elapsed = time.monotonic() - second
    finally:
        silent.close()
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert daemon.returncode == 1
    assert elapsed < 5
    assert '"message":"second SIGTERM: exiting now"' in logs
    database = sqlite3.connect(tmp_path / "store.sqlite")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        database.close()
    # The lock died with the process: a new run of the source can start at once.
    with opened(url) as engine:
        from sync.locks import run_lock

        lock = run_lock(engine, "unreachable")
        assert lock.try_acquire()
        lock.release()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_reload_never_leaves_the_old_next_run_beside_the_new_schedule(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # The heartbeat thread reads every job's next run and writes it; a reload saves each
    # job's schedule with its new next run. A beat that read before a reload and wrote
    # after it left the old next run beside the new schedule until the next beat.
    every_hour = {"default": {"every": "1h"}, "heartbeat": "10ms"}
    path = _config(sandbox, tmp_path, every_hour)
    config = load_config(path)
    at_four = yaml.safe_load(path.read_text())
    at_four["schedule"]["sources"] = {"zoho": {"cron": "0 4 * * *"}}
    texts = [path.read_text(), yaml.safe_dump(at_four, sort_keys=False)]
    seen: list[tuple[str, bool]] = []  # (schedule, whether its next run is the next 4:00)
    with opened(config.store.url) as engine:
        daemon = Daemon(config, engine, reload_config=config_file_loader(path))
        thread = threading.Thread(target=daemon.run, kwargs={"handle_signals": False})
        thread.start()
        try:

            def scheduled() -> bool:
                # The job rows are written as the daemon is made, their next runs once its
                # scheduler runs (a reload before that has none to write).
                return _jobs(config.store.url).get("zoho", {}).get("next_run_at") is not None

            wait_for(scheduled, 60, "the first heartbeat")
            for n in range(100):
                path.write_text(texts[(n + 1) % 2])
                now = datetime.now(UTC)
                four_am = now.replace(hour=4, minute=0, second=0, microsecond=0)
                if four_am <= now:
                    four_am += timedelta(days=1)
                assert daemon.reload()
                zoho = _jobs(config.store.url)["zoho"]
                seen.append((zoho["schedule"], zoho["next_run_at"] == four_am))
        finally:
            daemon.stop()
            thread.join(timeout=60)
    assert [schedule for schedule, _ in seen] == ["cron 0 4 * * *", "every 1h"] * 50
    assert [at_four for _, at_four in seen] == [True, False] * 50
