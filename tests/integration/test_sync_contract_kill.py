"""The sync contract when killed: SIGKILL at random points, restart, same store as clean."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.store import open_store
from sync.store.bookkeeping import RunRow
from tests.integration.contract_suite import (
    BACKENDS,
    CRMS,
    require,
    run_sync,
    store_url,
)
from tests.integration.sync_support import store_differences, store_snapshot, write_config


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_sync_killed_at_random_points_resumes_to_a_clean_store(
    crm: str, backend: str, tmp_path: Path
) -> None:
    require(crm)
    options = SandboxOptions(seed=9, scale="small", anchor=DEFAULT_ANCHOR)
    with (
        Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox,
        store_url(backend, tmp_path, "clean") as clean_url,
    ):
        (tmp_path / "clean").mkdir()
        run_sync(write_config(sandbox, tmp_path / "clean", clean_url, (crm,)), crm)
        clean = store_snapshot(clean_url)
        for seed in (1, 2, 3):
            work = tmp_path / f"killed{seed}"
            work.mkdir()
            with store_url(backend, tmp_path, f"killed{seed}") as url:
                config = write_config(sandbox, work, url, (crm,))
                rng = random.Random(seed)
                kills = misses = cuts = 0
                # Three kills at random points, one at least cutting a run off mid-way (its
                # row is left "running"); a run that finished before its kill landed costs
                # another attempt, with a narrower window (an idle machine is fast, and a
                # loaded one can spend longer shutting the interpreter down than syncing).
                for attempt in range(1, 31):
                    proc = subprocess.Popen(
                        [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    _wait_for_run(url, attempt, proc)  # the run has begun reading and writing
                    # small syncs take about a second
                    time.sleep(rng.uniform(0.0, 0.3 / (1 + misses)))
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
                    else:
                        misses += 1
                    proc.wait(timeout=60)
                    cuts += _run_statuses(url)[-1:] == ["running"]
                    if kills >= 3 and cuts >= 1:
                        break
                assert kills >= 3 and cuts >= 1, (kills, cuts, misses)
                assert "running" in _run_statuses(url)
                final = subprocess.run(
                    [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"],
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert final.returncode == 0, final.stderr
                assert store_differences(store_snapshot(url), clean) == []


def _run_statuses(url: str) -> list[str]:
    """Run rows so far; read without migrating, so the sync under test owns the schema."""
    runs = RunRow.__table__  # type: ignore[attr-defined]
    engine = open_store(url, migrate_schema=False)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(select(runs.c.status).order_by(runs.c.id))]
    except DBAPIError:  # no tables yet
        return []
    finally:
        engine.dispose()


def _wait_for_run(url: str, attempt: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_run_statuses(url)) >= attempt:
            return
        time.sleep(0.05)
