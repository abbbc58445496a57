"""Helpers for the worker tests: configs, worker processes with their logs, job rows."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from sandbox import Sandbox
from sync.workers.queue import QueuedJob, list_jobs
from tests import cli_process
from tests.integration.sync_support import postgres_url, wait_for, write_config

__all__ = [
    "LogLine",
    "WorkerProcess",
    "all_jobs",
    "log_lines",
    "require_postgres",
    "run_cli",
    "wait_for",
    "worker_config",
    "workers",
]

FAST = {  # heartbeats and stall detection in seconds, so a dead worker is noticed quickly
    "enabled": True,
    "heartbeat": "0.5s",
    "stalled_timeout": "2s",
    "stalled_check_every": "1s",
    "poll_interval": "0.5s",
}

_LINE = re.compile(
    r"job (?P<job>\d+) sync (?P<target>\S+)(?: tick=(?P<tick>\d+))? attempt=(?P<attempt>\d+): "
    r"(?P<event>started|succeeded|interrupted|partial|failed|skipped)\w* on worker (?P<worker>\S+)"
)


def require_postgres() -> str:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured: set CRMSYNC_TEST_POSTGRES_URL to run the workers")
    return base


def worker_config(
    sandbox: Sandbox,
    directory: Path,
    url: str,
    extra: dict[str, Any],
    copies: tuple[tuple[str, str], ...] = (),
    streams: list[str] | None = None,
) -> Path:
    """A config for ``sandbox`` with fast worker settings; ``copies`` adds (name, of) sources
    reading the same sandbox CRM under another name."""
    path = write_config(sandbox, directory, url)
    config = yaml.safe_load(path.read_text())
    for name, of in copies:
        original = next(s for s in config["sources"] if s["name"] == of)
        config["sources"].append({**original, "name": name})
    if streams is not None:
        for source in config["sources"]:
            source["streams"] = streams
    config["workers"] = {**FAST, **extra.pop("workers", {})}
    config.update(extra)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run(
        [sys.executable, "-m", "sync", "worker", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@contextmanager
def workers(config: Path, directory: Path, count: int) -> Iterator[list[WorkerProcess]]:
    """``count`` worker processes (w1, w2...), each logging to its own file; stopped with
    SIGTERM on exit (killed if they do not stop)."""
    started = []
    try:
        for number in range(1, count + 1):
            name = f"w{number}"
            log = directory / f"{name}.log"
            with open(log, "wb") as handle:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "sync", "worker", "--config", str(config)]
                    + ["--name", name],
                    stdout=subprocess.DEVNULL,
                    stderr=handle,
                )
            started.append(WorkerProcess(name, proc, log))
        yield started
    finally:
        for worker in started:
            if worker.proc.poll() is None:
                worker.proc.send_signal(signal.SIGTERM)
        for worker in started:
            try:
                worker.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()


@dataclass(frozen=True)
class LogLine:
    job: int
    target: str
    tick: int | None
    attempt: int
    event: str
    worker: str


def log_lines(running: list[WorkerProcess]) -> list[LogLine]:
    """Every job event the workers logged, in file order per worker."""
    lines = []
    for worker in running:
        for match in _LINE.finditer(worker.text()):
            lines.append(
                LogLine(
                    int(match["job"]),
                    match["target"],
                    int(match["tick"]) if match["tick"] else None,
                    int(match["attempt"]),
                    match["event"],
                    match["worker"],
                )
            )
    return lines


def all_jobs(engine: Engine) -> list[QueuedJob]:
    return list_jobs(engine, ("todo", "doing", "succeeded", "failed", "cancelled", "aborted"))
