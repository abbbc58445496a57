"""Three ``crmsync worker`` processes on one PostgreSQL store against the sandbox.

Scheduled ticks are deferred exactly once whatever the number of workers and spread over
them; a worker killed with SIGKILL mid-stream has its job queued again, and the store ends
record for record equal to a clean single-process sync.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, text

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.locks import run_lock
from sync.store import open_store
from sync.store.bookkeeping import RunRow, RunStreamRow, StreamStateRow
from sync.workers.app import RETRY_STALLED_TASK
from sync.workers.ledger import KILLED_MESSAGE, close_open_runs
from sync.workers.locks import StreamLock
from sync.workers.schema import prepare_store
from tests.integration.contract_suite import run_sync
from tests.integration.sync_support import (
    postgres_schema,
    store_differences,
    store_snapshot,
    write_config,
)
from tests.integration.workers_support import (
    all_jobs,
    log_lines,
    require_postgres,
    run_cli,
    wait_for,
    worker_config,
    workers,
)

SOURCES = ("hubspot", "hubspot-b", "salesforce", "zoho")
STREAMS = ["accounts", "deals", "users"]


@pytest.fixture
def base() -> str:
    """The test server's URL; skips (before any sandbox starts) when none is configured."""
    return require_postgres()


def test_each_tick_is_deferred_once_and_the_jobs_spread_over_three_workers(
    base: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    with postgres_schema(base) as url:
        config = worker_config(
            sandbox,
            tmp_path,
            url,
            {"schedule": {"default": {"every": "12s"}}, "workers": {"catch_up": "1s"}},
            copies=(("hubspot-b", "hubspot"),),
            streams=STREAMS,
        )
        schema = run_cli(config, "schema", "--json")
        assert schema.returncode == 0, schema.stderr
        assert schema.stdout.strip() == '{"queue_schema":"installed"}'
        engine = open_store(url, migrate_schema=False)
        try:
            with workers(config, tmp_path, 3) as running:
                wait_for(
                    lambda: all("taking jobs" in w.text() for w in running),
                    60,
                    "three workers to start",
                )

                def idle() -> bool:
                    jobs = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
                    return not any(j.status in ("todo", "doing") for j in jobs)

                # Ticks passed while the workers started; once their jobs are done, the next
                # two ticks (every 12 s on the clock, shared by every worker) are watched.
                wait_for(idle, 60, "the jobs of earlier ticks")
                first = (int(time.time()) // 12 + 1) * 12
                ticks = (first, first + 12)

                def second_tick_done() -> bool:
                    jobs = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
                    last = [j for j in jobs if j.args.get("timestamp") == ticks[1]]
                    busy = [j for j in jobs if j.status in ("todo", "doing")]
                    return len(last) == len(SOURCES) * len(STREAMS) and not busy

                wait_for(second_tick_done, ticks[1] - time.time() + 40, "both ticks to run")
                jobs = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
        finally:
            engine.dispose()
    # Read the logs once the workers have stopped: a job's row can say succeeded a moment
    # before its worker's log line is written.
    lines = log_lines(running)
    expected = {
        (f"{source}/{stream}", tick) for source in SOURCES for stream in STREAMS for tick in ticks
    }
    deferred = Counter((j.target, j.args["timestamp"]) for j in jobs)
    assert set(deferred.values()) == {1}  # each (stream, tick) deferred once by 3 deferrers
    jobs = [j for j in jobs if j.args["timestamp"] in ticks]
    assert {(j.target, j.args["timestamp"]) for j in jobs} == expected  # no tick skipped
    assert {(j.status, j.attempts) for j in jobs} == {("succeeded", 1)}
    lines = [line for line in lines if line.tick in ticks]
    started = Counter(line.job for line in lines if line.event == "started")
    succeeded = Counter(line.job for line in lines if line.event == "succeeded")
    assert started == succeeded == Counter({j.id: 1 for j in jobs})  # each ran exactly once
    by_worker = Counter(line.worker for line in lines if line.event == "succeeded")
    assert set(by_worker) == {"w1", "w2", "w3"}, by_worker  # the work spread


def test_a_worker_killed_mid_stream_loses_and_duplicates_nothing(base: str, tmp_path: Path) -> None:
    options = SandboxOptions(seed=9, scale="small", anchor=DEFAULT_ANCHOR)
    with (
        Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox,
        postgres_schema(base) as clean_url,
        postgres_schema(base) as url,
    ):
        (tmp_path / "clean").mkdir()
        clean_config = write_config(sandbox, tmp_path / "clean", clean_url)
        for crm in ("salesforce", "hubspot", "zoho"):
            run_sync(clean_config, crm)
        clean = store_snapshot(clean_url)

        config = worker_config(sandbox, tmp_path, url, {})
        states = StreamStateRow.__table__  # type: ignore[attr-defined]
        runs = RunRow.__table__  # type: ignore[attr-defined]
        engine = open_store(url, migrate_schema=False)
        try:
            prepare_store(engine)
            deferred = run_cli(config, "defer", "--all", "--json")
            assert deferred.returncode == 0, deferred.stderr
            assert deferred.stdout.count('"status":"queued"') == 31  # 12 + 9 + 10 streams
            with workers(config, tmp_path, 3) as running:
                # hubspot/activities reads 23 pages: kill its worker after the first commits.
                target = "hubspot/activities"
                wait_for(
                    lambda: any(f"sync {target} attempt=1: started" in w.text() for w in running),
                    60,
                    f"a worker to start {target}",
                    poll=0.02,
                )
                victim = next(w for w in running if f"sync {target} attempt=1: started" in w.text())

                def first_page_committed() -> bool:
                    with engine.connect() as conn:
                        query = states.select().where(
                            states.c.source == "hubspot", states.c.stream == "activities"
                        )
                        return conn.execute(query).first() is not None

                wait_for(first_page_committed, 30, "the first page of the stream", poll=0.02)
                victim.proc.send_signal(signal.SIGKILL)
                victim.proc.wait(timeout=10)
                assert f"sync {target} attempt=1: succeeded" not in victim.text()

                def all_done() -> bool:
                    jobs = [j for j in all_jobs(engine) if j.task == "crmsync.sync"]
                    return len(jobs) == 31 and all(j.status == "succeeded" for j in jobs)

                wait_for(all_done, 60, "every job to succeed after the retry")
                jobs = {j.target: j for j in all_jobs(engine) if j.task == "crmsync.sync"}
            status = run_cli(config, "status", "--json")
            with engine.connect() as conn:
                closed = conn.execute(
                    runs.select().where(runs.c.source == "hubspot", runs.c.error == KILLED_MESSAGE)
                ).all()
        finally:
            engine.dispose()
        lines = log_lines(running)
        assert store_differences(store_snapshot(url), clean) == []
    killed = jobs[target]
    assert killed.attempts == 2  # the killed attempt, then the retry that finished it
    retried = [line for line in lines if line.job == killed.id and line.attempt == 2]
    assert [line.event for line in retried] == ["started", "succeeded"]
    assert retried[0].worker != victim.name
    # The dead attempt's run row is closed, as partial, and no other: the deals run once
    # showed the deal-contact roles its pages carried as a running deal_contacts stream
    # for a moment, and the deal_contacts job starting then closed it as killed after it
    # had finished (see the test below).
    assert [r.status for r in closed] == ["partial"]
    others = [j for t, j in jobs.items() if t != target]
    assert all(j.attempts == 1 for j in others)
    assert status.returncode == 0, status.stderr
    listed = orjson.loads(status.stdout)
    # Nothing queued, running or failed but the periodic stalled-job check, which the
    # workers queue on their own schedule (`workers.stalled_check_every`) whatever the syncs did.
    assert [j for j in listed["jobs"] if j["task"] != RETRY_STALLED_TASK] == []
    # The killed worker was forgotten once its job was queued again; the others stopped.
    assert listed["workers"] == []


def test_stream_locks_share_their_source_and_exclude_a_whole_source_run(base: str) -> None:
    with postgres_schema(base) as url:
        engine = open_store(url, migrate_schema=False)  # advisory locks need no table
        try:
            deals, contacts = (
                StreamLock(engine, "hubspot", "deals"),
                StreamLock(engine, "hubspot", "contacts"),
            )
            again = StreamLock(engine, "hubspot", "deals")
            whole = run_lock(engine, "hubspot")  # what crmsync sync and the daemon take
            assert deals.try_acquire() and contacts.try_acquire()  # streams side by side
            assert not again.try_acquire()  # one sync of a stream at a time
            assert not whole.try_acquire()  # no whole-source run under a stream sync
            holder = whole.holder()
            assert holder is not None and holder.pid == os.getpid()
            other = StreamLock(engine, "zoho", "deals")
            assert other.try_acquire()  # other sources are free
            other.release()
            deals.release()
            contacts.release()
            assert whole.try_acquire()
            assert not again.try_acquire()  # and no stream sync under a whole-source run
            whole.release()
            assert again.try_acquire()
            again.release()
        finally:
            engine.dispose()


def test_a_run_its_owner_closes_while_a_worker_closes_dead_runs_keeps_its_outcome(
    base: str,
) -> None:
    # The interleaving that once closed a second hubspot run as killed, made certain: the
    # worker closing dead deal_contacts rows finds a run still showing one running (as a
    # deals run showed the roles its pages carried, before RunLedger.record_stream), then
    # the run's owner closes it, then the worker's updates go on.
    now = datetime(2026, 10, 31, tzinfo=UTC)
    name = f"crmsync-test-{uuid.uuid4().hex[:8]}"
    with postgres_schema(base) as schema_url:
        engine = open_store(f"{schema_url}&application_name={name}")
        runs = RunRow.__table__  # type: ignore[attr-defined]
        rows = RunStreamRow.__table__  # type: ignore[attr-defined]
        try:
            with engine.begin() as conn:
                run_id = conn.execute(
                    runs.insert().values(source="hubspot", started_at=now, status="running")
                ).inserted_primary_key[0]
                conn.execute(
                    rows.insert(),
                    [
                        {"run_id": run_id, "stream": "deals", "status": "succeeded"},
                        {"run_id": run_id, "stream": "deal_contacts", "status": "running"},
                    ],
                )
            owner = engine.connect()
            owner.begin()
            mine = (rows.c.run_id == run_id) & (rows.c.stream == "deal_contacts")
            owner.execute(rows.select().where(mine).with_for_update())
            closed: list[int] = []
            closer = threading.Thread(
                target=lambda: closed.append(
                    close_open_runs(engine, "hubspot", ("deal_contacts",), now, KILLED_MESSAGE)
                )
            )
            closer.start()

            def closer_waits() -> bool:  # it found the row running and waits for its lock
                query = text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                    "AND wait_event_type = 'Lock'"
                )
                with engine.connect() as conn:
                    return bool(conn.execute(query, {"name": name}).scalar())

            wait_for(closer_waits, 10, "the worker to wait for the row", poll=0.02)
            owner.execute(rows.update().where(mine).values(status="succeeded"))
            owner.execute(runs.update().where(runs.c.id == run_id).values(status="succeeded"))
            owner.commit()
            owner.close()
            closer.join(timeout=10)
            with engine.connect() as conn:
                run = conn.execute(runs.select().where(runs.c.id == run_id)).one()
                query = select(rows.c.stream, rows.c.status).where(rows.c.run_id == run_id)
                streams = {stream: status for stream, status in conn.execute(query)}
        finally:
            engine.dispose()
    assert closed == [0]
    assert (run.status, run.error) == ("succeeded", None)
    assert streams == {"deals": "succeeded", "deal_contacts": "succeeded"}
