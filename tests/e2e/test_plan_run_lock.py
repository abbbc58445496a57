"""One ``plan run`` per period at a time (issue 15, item 13).

A second ``crmsync plan run`` (or ``plan close``) of a period that another process holds
fails at once with one line naming the holder (pid, host, since) and stores nothing; with
``--wait-lock`` it waits for the holder, then runs. The holder here is this test process,
holding the same lock a running ``plan run`` holds, so the timing is deterministic.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sync.compute.lock import PeriodBusy, period_lock
from sync.compute.periods import parse_period, run_plans
from sync.config.compensation import CompensationConfig
from sync.store import open_store
from sync.store.compensation import CompensationRunRow
from tests import cli_process
from tests.e2e.plan_support import plan_workspace
from tests.integration.sync_support import postgres_schema, postgres_url

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "sync"]
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SETTINGS = CompensationConfig.model_validate({"plans_dir": str(REPO / "config" / "plans")})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workspace = tmp_path_factory.mktemp("plan-lock")
    return plan_workspace(workspace)


def _runs(engine: Engine, period: str) -> int:
    runs = CompensationRunRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        query = select(func.count()).select_from(runs).where(runs.c.period == period)
        return int(conn.execute(query).scalar_one())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=180)


def test_a_second_run_of_a_held_period_names_the_holder_and_stores_nothing(
    store: tuple[Path, str],
) -> None:
    config, url = store
    engine = open_store(url)
    lock = period_lock(engine, "2026-09")
    assert lock.try_acquire()
    try:
        holder = lock.holder()
        assert holder is not None
        assert (holder.pid, holder.host) == (os.getpid(), socket.gethostname())
        expected = (
            f"error: period 2026-09 is being run or closed by {holder.describe()}; try again "
            "when it has finished (`crmsync plan run --wait-lock SECONDS` waits for it)"
        )
        for command in ("run", "close"):
            result = _cli("plan", command, "--period", "2026-09", "--config", str(config))
            assert (result.returncode, result.stderr.strip()) == (1, expected), result.stderr
        assert _runs(engine, "2026-09") == 0
    finally:
        lock.release()
    result = _cli("plan", "run", "--period", "2026-09", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert _runs(engine, "2026-09") == 1


def test_with_wait_the_second_run_runs_once_the_holder_is_done(store: tuple[Path, str]) -> None:
    config, url = store
    engine = open_store(url)
    lock = period_lock(engine, "2026-08")
    assert lock.try_acquire()
    args = ["plan", "run", "--period", "2026-08", "--wait-lock", "60", "--config", str(config)]
    waiting = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(4)  # an unhindered run of this store takes about 1.5 s
        assert waiting.poll() is None, waiting.communicate()
        assert _runs(engine, "2026-08") == 0
    finally:
        lock.release()
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr.decode()
    assert _runs(engine, "2026-08") == 1


def test_two_runs_started_together_store_one_result(store: tuple[Path, str]) -> None:
    """Two threads, each with its own engine (own connections), start a run of one period
    at the same instant: one stores its result, the other is refused naming the holder."""
    _, url = store
    engines = [open_store(url), open_store(url)]
    settings = CompensationConfig.model_validate(
        {
            "plans_dir": str(REPO / "config" / "plans"),
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
        }
    )
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = run_plans(
                engines[index], settings, parse_period("2026-07"), now=NOW
            ).run_id
        except PeriodBusy as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stored = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, PeriodBusy)]
    assert (len(stored), len(refused)) == (1, 1), outcomes
    assert f"period 2026-07 is being run or closed by pid {os.getpid()} on " in str(refused[0])
    assert _runs(engines[0], "2026-07") == 1


@pytest.fixture
def pg_engines() -> Iterator[tuple[Engine, Engine]]:
    base = postgres_url()
    if base is None:
        pytest.skip("set CRMSYNC_TEST_POSTGRES_URL to run the lock tests on PostgreSQL")
    with postgres_schema(base) as url:
        first, second = open_store(url), open_store(url)
        yield first, second
        first.dispose()
        second.dispose()


def test_on_postgresql_the_period_is_held_across_connections(
    pg_engines: tuple[Engine, Engine],
) -> None:
    holder_engine, engine = pg_engines
    lock = period_lock(holder_engine, "2026-10")
    assert lock.try_acquire()
    try:
        with pytest.raises(PeriodBusy) as refused:
            run_plans(engine, SETTINGS, parse_period("2026-10"), now=NOW)
        assert f"by pid {os.getpid()} on {socket.gethostname()} since " in str(refused.value)
        # another period is free
        assert run_plans(engine, SETTINGS, parse_period("2026-09"), now=NOW).run_id is not None
        threading.Timer(1.0, lock.release).start()
        waited = run_plans(engine, SETTINGS, parse_period("2026-10"), now=NOW, wait=30)
    finally:
        lock.release()
    assert waited.run_id is not None
    assert (_runs(engine, "2026-10"), _runs(engine, "2026-09")) == (1, 1)
