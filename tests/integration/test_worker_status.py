"""``crmsync worker status`` as an operator reads it: workers by their ``--name``, a killed
worker gone once its jobs are queued again, and targets shown whole whatever the width."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from sandbox import Sandbox
from sync.store import open_store
from sync.workers.schema import prepare_store
from tests import cli_process
from tests.integration.sync_support import postgres_schema
from tests.integration.workers_support import (
    all_jobs,
    require_postgres,
    run_cli,
    wait_for,
    worker_config,
    workers,
)

LONG = "hubspot-with-a-rather-long-source-name"  # 38 of the 40 characters a name may have


@pytest.fixture
def base() -> str:
    return require_postgres()


def _status(config: Path, *args: str) -> Any:
    result = run_cli(config, "status", "--json", *args)
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


def test_worker_status_names_workers_forgets_a_killed_one_and_shows_whole_targets(
    base: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    with postgres_schema(base) as url:
        config = worker_config(
            sandbox, tmp_path, url, {}, copies=((LONG, "hubspot"),), streams=["accounts"]
        )
        engine = open_store(url, migrate_schema=False)
        try:
            prepare_store(engine)
            with workers(config, tmp_path, 2) as running:

                def named() -> list[tuple[str, bool]]:
                    listed = _status(config)["workers"]
                    return sorted((w["name"], w["stalled"]) for w in listed)

                wait_for(lambda: len(_status(config)["workers"]) == 2, 60, "two workers")
                assert named() == [("w1", False), ("w2", False)]
                running[1].proc.send_signal(signal.SIGKILL)
                running[1].proc.wait(timeout=10)
                # Silent for stalled_timeout (2 s), then forgotten at the next check (1 s).
                wait_for(lambda: named() == [("w1", False)], 30, "the killed worker to go")

                deferred = run_cli(config, "defer", "--source", LONG, "--json")
                assert deferred.returncode == 0, deferred.stderr

                def done() -> bool:
                    return [j.status for j in all_jobs(engine) if j.task == "crmsync.sync"] == [
                        "succeeded"
                    ]

                wait_for(done, 60, "the long-named source's job")
                listed = _status(config, "--all")["jobs"]
                table = cli_process.run(
                    [sys.executable, "-m", "sync", "worker", "--config", str(config)]
                    + ["status", "--all"],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    env={**os.environ, "COLUMNS": "80"},
                )
        finally:
            engine.dispose()
    sync_jobs = [j for j in listed if j["task"] == "crmsync.sync"]
    assert [(j["target"], j["worker"]) for j in sync_jobs] == [(f"{LONG}/accounts", "w1")]
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if "crmsync.sync" in line)
    assert f" {LONG}/accounts " in row and " w1 " in row
