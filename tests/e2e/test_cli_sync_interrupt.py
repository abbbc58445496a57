"""Ctrl-C during ``crmsync sync``: every source stops after its page, its run is closed as
``partial`` with the stream it was reading ``stopped``, nothing is left ``running``, and
the next sync completes the store to the CRMs' records, at once and one source after
another alike.

The CRMs answer each request 200 ms late (the sandbox's round trip), so a tiny world takes
several seconds to read and the interrupt lands while pages are being written; it is sent
once the store shows a stream being read, never after a fixed sleep.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.pull.runs import INTERRUPTED_MESSAGE
from sync.store.core_tables import SYNC_RUN_STREAMS, SYNC_RUNS
from tests import cli_process
from tests.integration.sync_support import expected_live_ids, opened, store_live_ids, write_config

SOURCES = ("salesforce", "hubspot", "zoho")
ROUND_TRIP_S = 0.2


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=29, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


def _runs(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with opened(url) as engine, engine.connect() as conn:
        runs = conn.execute(
            select(SYNC_RUNS.c.id, SYNC_RUNS.c.source, SYNC_RUNS.c.status, SYNC_RUNS.c.error)
        ).all()
        streams = conn.execute(
            select(SYNC_RUN_STREAMS.c.run_id, SYNC_RUN_STREAMS.c.stream, SYNC_RUN_STREAMS.c.status)
        ).all()
    return [tuple(r) for r in runs], [tuple(s) for s in streams]


def _streams_started(path: Path) -> int:
    """Streams the running sync has started (0 before its store exists), read with the
    plain driver, read-only, so the poll neither migrates nor locks the store."""
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM sync_run_streams").fetchone()[0])
    except sqlite3.Error:  # the store is still being created by the sync's migrations
        return 0


@pytest.mark.parametrize("jobs", ["0", "1"], ids=["at-once", "one-after-another"])
def test_ctrl_c_closes_every_run_as_partial_and_the_next_sync_completes(
    sandbox: Sandbox, tmp_path: Path, jobs: str
) -> None:
    for crm in SOURCES:
        sandbox.apps[crm].faults.round_trip_s = ROUND_TRIP_S
    path = tmp_path / "store.sqlite"
    url = f"sqlite:///{path}"
    config = write_config(sandbox, tmp_path, url, SOURCES)
    command = [sys.executable, "-m", "sync", "sync", "--config", str(config), "--jobs", jobs]
    # Ctrl-C as a terminal sends it: a process started with SIGINT ignored (as a test
    # worker may leave it for its children) keeps ignoring it, so the child takes Python's
    # own handler back before it runs the command.
    interruptible = [
        sys.executable,
        "-c",
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv = ['crmsync', *sys.argv[1:]]; runpy.run_module('sync', run_name='__main__')",
        *command[3:],
    ]
    process = subprocess.Popen(
        interruptible, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while _streams_started(path) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the sync ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    runs, streams = _runs(url)
    assert runs, "the interrupted sync recorded no run"
    assert all(status != "running" for _, _, status, _ in runs), runs
    assert all(status != "running" for _, _, status in streams), streams
    interrupted = [(run_id, source) for run_id, source, status, _ in runs if status == "partial"]
    assert interrupted, runs
    for run_id, _ in interrupted:
        error = next(e for i, _, _, e in runs if i == run_id)
        assert error == INTERRUPTED_MESSAGE
        assert "stopped" in {status for i, _, status in streams if i == run_id}
    assert "Traceback" not in stderr

    for crm in SOURCES:
        sandbox.apps[crm].faults.round_trip_s = 0
    again = cli_process.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stderr
    runs, _ = _runs(url)
    assert all(status != "running" for _, _, status, _ in runs)
    with opened(url) as engine:
        for crm in SOURCES:
            for stream in ("contacts", "accounts", "deals"):
                assert store_live_ids(engine, crm, stream) == expected_live_ids(
                    sandbox, crm, stream
                ), (crm, stream)
