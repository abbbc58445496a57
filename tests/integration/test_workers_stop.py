"""A worker's sync job stopped while its connector waits to retry: the wait ends at once.

The source's CRM is a port nothing listens on: every attempt is refused at once and the
job spends its time in the retry policy's back-off (0.5 s, 1 s, 2 s, ... up to 30 s between
attempts), where no page ends for the job to see a stop between pages.
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from sandbox import Sandbox
from sync.config import load_config
from sync.store import open_store
from sync.store.bookkeeping import RunRow
from sync.workers.app import build_app
from sync.workers.ledger import STOPPED_MESSAGE
from sync.workers.schema import prepare_store
from tests.integration.sync_support import postgres_schema, wait_for, zoho_at
from tests.integration.workers_support import (
    WorkerProcess,
    all_jobs,
    require_postgres,
    run_cli,
    worker_config,
    workers,
)

TARGET = "unreachable/users"


@pytest.fixture
def base() -> str:
    return require_postgres()


@contextmanager
def _unreachable_store(
    base: str, sandbox: Sandbox, tmp_path: Path
) -> Iterator[tuple[Path, Engine]]:
    """A fresh PostgreSQL store with the worker's queue, and a config syncing into it from
    a source nobody answers for."""
    with postgres_schema(base) as url:
        config = _unreachable_config(sandbox, tmp_path, url)
        engine = open_store(url, migrate_schema=False)
        try:
            prepare_store(engine)
            yield config, engine
        finally:
            engine.dispose()


def _unreachable_config(sandbox: Sandbox, directory: Path, url: str) -> Path:
    path = worker_config(sandbox, directory, url, {"workers": {"stop_grace": "0s"}})
    config = yaml.safe_load(path.read_text())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config["sources"] = [{**zoho_at(config, "unreachable", port), "streams": ["users"]}]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _waiting_to_retry(config: Path, running: list[WorkerProcess]) -> None:
    deferred = run_cli(config, "defer", "--source", "unreachable", "--json")
    assert deferred.returncode == 0, deferred.stderr
    wait_for(
        lambda: any(f"sync {TARGET} attempt=1: started" in w.text() for w in running),
        60,
        "the worker to start the job",
    )
    # two refusals (0.5 s, then 1 s of back-off): the job now waits about 2 s before its
    # third attempt, and 9 s more before it gives up after its sixth
    time.sleep(2)


def _stopped_runs(engine: Engine) -> list[tuple[str, str | None]]:
    runs = RunRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [(r.status, r.error) for r in conn.execute(runs.select())]


def test_a_worker_stopped_while_its_sync_waits_to_retry_exits_at_once_and_queues_it_again(
    base: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    with _unreachable_store(base, sandbox, tmp_path) as (config, engine):
        with workers(config, tmp_path, 1) as running:
            _waiting_to_retry(config, running)
            signalled = time.monotonic()
            running[0].proc.send_signal(signal.SIGTERM)
            running[0].proc.wait(timeout=60)
            seconds = time.monotonic() - signalled
        jobs = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
        runs = _stopped_runs(engine)
    log = running[0].text()
    assert running[0].proc.returncode == 0, log
    assert seconds < 5, log  # not the 9 s of back-off left, nor the attempts between
    assert f"sync {TARGET} attempt=1: interrupted on worker w1, queued again" in log
    # queued again for the next worker, its run closed as stopped: none of it failed
    assert [(j.target, j.status) for j in jobs] == [(TARGET, "todo")]
    assert runs == [("partial", STOPPED_MESSAGE)]


def test_a_sync_cancelled_while_waiting_to_retry_ends_at_once_and_its_worker_goes_on(
    base: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    with _unreachable_store(base, sandbox, tmp_path) as (config, engine):
        app = build_app(load_config(config), periodic=False)
        with workers(config, tmp_path, 1) as running:
            _waiting_to_retry(config, running)
            (job,) = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
            app.open()
            try:
                asked = time.monotonic()
                assert app.job_manager.cancel_job_by_id(job.id, abort=True)
            finally:
                app.close()

            def ended() -> bool:
                return [j.status for j in all_jobs(engine) if j.id == job.id] == ["aborted"]

            wait_for(ended, 20, "the cancelled job to end")
            seconds = time.monotonic() - asked
            assert running[0].proc.poll() is None  # the worker takes the next job
        runs = _stopped_runs(engine)
    log = running[0].text()
    # the worker looks for aborts every poll interval (0.5 s here), the job's wait then ends
    assert seconds < 4, log
    assert f"sync {TARGET} attempt=1: cancelled on worker w1" in log
    assert runs == [("partial", STOPPED_MESSAGE)]
