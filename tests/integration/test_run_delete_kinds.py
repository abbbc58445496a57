"""Run history keeps each stream's deletes by kind and its restores: a real sync writes them
to ``sync_run_streams`` and ``crmsync status`` shows them for the last run; migration 0011
gives runs recorded before it 0 for each, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from alembic import command
from sync_support import alembic_config, postgres_schema, postgres_url

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import migrate, open_store
from tests import cli_process
from tests.integration.contract_suite import BACKENDS, store_url
from tests.integration.sync_support import opened, write_config

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("deleted", "deleted_reported", "deleted_merged", "deleted_missing", "restored")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


def _sync(config: Path) -> int:
    cfg = load_config(config)
    source = cfg.source("zoho")
    connector = build_connector(source)
    try:
        with opened(cfg.store.url) as engine:
            report = sync_source(engine, source, connector, SyncOptions(), now=_now)
    finally:
        connector.close()
    assert report.run_id is not None
    return report.run_id


def _now() -> datetime:
    return datetime.now(UTC)


def _recorded(url: str, run_id: int, stream: str) -> tuple[int, ...]:
    with opened(url) as engine, engine.connect() as conn:
        row = conn.execute(
            sa.text(
                f"SELECT {', '.join(KINDS)} FROM sync_run_streams"
                " WHERE run_id = :run AND stream = :stream"
            ),
            {"run": run_id, "stream": stream},
        ).one()
    return tuple(row)


def _status(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = cli_process.run(
        [sys.executable, "-m", "sync", "status", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "250"},  # one table line per stream
    )
    assert done.returncode == 0, done.stderr
    return done


def _status_row(config: Path, stream: str) -> dict[str, Any]:
    rows = orjson.loads(_status(config, "--json").stdout)["streams"]
    row = next(r for r in rows if (r["source"], r["stream"]) == ("zoho", stream))
    return {k: row[k] for k in KINDS}


@pytest.mark.parametrize("backend", BACKENDS)
def test_run_history_and_status_keep_deletes_by_kind_and_restores(
    sandbox: Sandbox, tmp_path: Path, backend: str
) -> None:
    with store_url(backend, tmp_path, "kinds") as url:
        _kinds_recorded(sandbox, write_config(sandbox, tmp_path, url, ("zoho",)), url)


def _kinds_recorded(sandbox: Sandbox, config: Path, url: str) -> None:
    world, clock = sandbox.world, sandbox.clock
    assert world is not None
    tasks = world.zoho["Tasks"]
    _sync(config)
    chosen = [r["id"] for r in tasks.live()][:3]
    clock.advance(60)  # type: ignore[attr-defined]
    with world.lock:
        for rid in chosen:  # recently modified: the lookback of the next runs re-reads them
            tasks.update(rid, {"Subject": f"follow up {rid}"}, when=clock.now())
    _sync(config)
    clock.advance(60)  # type: ignore[attr-defined]
    with world.lock:
        for rid in chosen:
            tasks.soft_delete(rid, clock.now())
    deleting = _sync(config)
    assert _recorded(url, deleting, "activities") == (3, 3, 0, 0, 0)
    assert _status_row(config, "activities") == {
        "deleted": 3, "deleted_reported": 3, "deleted_merged": 0, "deleted_missing": 0,
        "restored": 0,
    }  # fmt: skip
    table = _status(config).stdout
    line = next(x for x in table.splitlines() if "zoho" in x and "activities" in x)
    assert [c.strip() for c in line.split("│")][6:8] == ["3 (3 reported)", "0"]

    with world.lock:
        for rid in chosen:
            tasks.restore(rid)
    clock.advance(60)  # type: ignore[attr-defined]
    restoring = _sync(config)
    assert _recorded(url, restoring, "activities") == (0, 0, 0, 0, 3)
    assert _recorded(url, deleting, "activities") == (3, 3, 0, 0, 0)  # history kept
    assert _status_row(config, "activities") == {
        "deleted": 0, "deleted_reported": 0, "deleted_merged": 0, "deleted_missing": 0,
        "restored": 3,
    }  # fmt: skip
    line = next(x for x in _status(config).stdout.splitlines() if "activities" in x)
    assert [c.strip() for c in line.split("│")][6:8] == ["0", "3"]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        yield url


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("sync_run_streams")}


def test_runs_recorded_before_0011_keep_their_counts_and_read_0_per_kind(
    old_store_url: str,
) -> None:
    engine = open_store(old_store_url, migrate_schema=False)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0010")
    assert not set(KINDS[1:]) & _columns(engine)
    with engine.begin() as connection:
        # A run as the 0010 schema holds it (only the total deleted), written with plain SQL.
        connection.execute(
            sa.insert(sa.table("sync_runs", *map(sa.column, RUN_COLUMNS))).values(
                id=1, source="zoho", started_at=T0, status="succeeded", full=False, dry_run=False
            )
        )  # fmt: skip
        connection.execute(
            sa.insert(sa.table("sync_run_streams", *map(sa.column, STREAM_COLUMNS))).values(
                run_id=1, stream="activities", status="succeeded", fetched=9, inserted=2,
                updated=1, unchanged=3, deleted=4, quarantined=0, api_calls=5, seconds=1.5,
            )
        )  # fmt: skip
    migrate(engine)
    assert set(KINDS) <= _columns(engine)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(f"SELECT fetched, {', '.join(KINDS)} FROM sync_run_streams")
        ).one()
    assert tuple(row) == (9, 4, 0, 0, 0, 0)

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert not set(KINDS[1:]) & _columns(engine)
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT deleted FROM sync_run_streams")).scalar_one()
    assert kept == 4
    engine.dispose()


RUN_COLUMNS = ("id", "source", "started_at", "status", "full", "dry_run")
STREAM_COLUMNS = (
    "run_id", "stream", "status", "fetched", "inserted", "updated", "unchanged", "deleted",
    "quarantined", "api_calls", "seconds",
)  # fmt: skip
