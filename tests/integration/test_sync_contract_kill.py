"""The sync contract when killed: SIGKILL at random points, restart, same store as clean.

The killed syncs are ``crmsync sync`` processes forked from a server that has imported
crmsync's libraries once (``tests.cli_process``), so each attempt skips the interpreter's
start and most imports; the sync itself, its store and the SIGKILL are those of the command
line. The restart that must end clean is a fresh ``python -m sync`` process.
"""

from __future__ import annotations

import multiprocessing
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.store import open_store
from sync.store.bookkeeping import RunRow
from tests import cli_process
from tests.integration.contract_suite import (
    BACKENDS,
    CRMS,
    require,
    run_sync,
    store_url,
)
from tests.integration.sync_support import store_differences, store_snapshot, write_config

CLI = [sys.executable, "-m", "sync"]
# Kill sequences per store: each starts from an empty store and kills three syncs at its own
# random points (the points move from run to run too: where a kill lands depends on the
# machine's speed). Every CRM runs two on SQLite; on PostgreSQL, where the same syncs write
# the same rows through the same engine, one per CRM.
SEEDS = {"sqlite": (1, 2), "postgresql": (1,)}
# Sources whose small world is read in so few calls that, on an idle machine, a sync is
# over before a kill lands: read 50 records a page, so a run has pages to be cut between.
PAGE_SIZES = {"dynamics": 50, "keap": 50}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One small world for the module: the syncs only read it."""
    options = SandboxOptions(seed=9, scale="small", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_sync_killed_at_random_points_resumes_to_a_clean_store(
    crm: str,
    backend: str,
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    require(crm)
    with store_url(backend, tmp_path, "clean") as clean_url:
        (tmp_path / "clean").mkdir()
        run_sync(_config(sandbox, tmp_path / "clean", clean_url, crm), crm)
        clean = store_snapshot(clean_url)
    for seed in SEEDS[backend]:
        work = tmp_path / f"killed{seed}"
        work.mkdir()
        with store_url(backend, tmp_path, f"killed{seed}") as url:
            config = _config(sandbox, work, url, crm)
            rng = random.Random(seed)
            kills = misses = cuts = 0
            engine = open_store(url, migrate_schema=False)  # reads only: the sync migrates
            try:
                # Three kills at random points, one at least cutting a run off mid-way (its
                # row is left "running"); a run that finished before its kill landed costs
                # another attempt, with a narrower window (an idle machine is fast, and a
                # loaded one can spend longer shutting the interpreter down than syncing).
                for attempt in range(1, 31):
                    proc = cli_process.start([*CLI, "sync", "--config", str(config), "--json"])
                    _wait_for_run(engine, attempt, proc)  # it has begun reading and writing
                    # small syncs take about a second
                    time.sleep(rng.uniform(0.0, 0.3 / (1 + misses)))
                    if proc.is_alive():
                        proc.kill()  # SIGKILL
                        kills += 1
                    else:
                        misses += 1
                    proc.join(timeout=60)
                    cuts += _run_statuses(engine)[-1:] == ["running"]
                    if kills >= 3 and cuts >= 1:
                        break
                assert kills >= 3 and cuts >= 1, (kills, cuts, misses)
                # a cut run stays running until the next sync of the source closes it
                assert {"running", "aborted"} & set(_run_statuses(engine))
            finally:
                engine.dispose()
            final = subprocess.run(
                [*CLI, "sync", "--config", str(config), "--json"],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert final.returncode == 0, final.stderr
            assert store_differences(store_snapshot(url), clean) == []
            engine = open_store(url, migrate_schema=False)
            try:  # every run the kills cut off is closed, none shown running
                assert "running" not in _run_statuses(engine)
            finally:
                engine.dispose()


def _config(sandbox: Sandbox, work: Path, url: str, crm: str) -> Path:
    path = write_config(sandbox, work, url, (crm,))
    if crm in PAGE_SIZES:
        config = yaml.safe_load(path.read_text())
        config["sources"][0]["page_size"] = PAGE_SIZES[crm]
        path.write_text(yaml.safe_dump(config))
    return path


def _run_statuses(engine: Engine) -> list[str]:
    """Run rows so far; read without migrating, so the sync under test owns the schema."""
    runs = RunRow.__table__  # type: ignore[attr-defined]
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(select(runs.c.status).order_by(runs.c.id))]
    except DBAPIError:  # no tables yet
        return []


def _wait_for_run(engine: Engine, attempt: int, proc: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.is_alive():
        if len(_run_statuses(engine)) >= attempt:
            return
        time.sleep(0.01)
