"""``crmsync status`` reads the bookkeeping through the database driver alone on an
up-to-date store, and gets the same values (aware UTC datetimes, JSON cursors, counts) as
through the store's engine, on SQLite and PostgreSQL; an older or missing store is opened
(created, migrated) first."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import insert

from sync.status import collect_jobs, collect_status
from sync.store import open_store
from sync.store.bookkeeping import QuarantineRow, RunRow, RunStreamRow, StreamStateRow
from sync.store.daemon_jobs import DaemonJobRow
from sync.store.readonly import read_store
from sync.store.revisions import MIGRATIONS, head_revisions
from tests.integration.sync_support import postgres_schema, postgres_url

T0 = datetime(2026, 10, 31, 9, 30, 15, 250000, tzinfo=UTC)
HEARTBEAT = timedelta(seconds=30)


@contextmanager
def _store(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        yield url


def _stream(name: str, status: str, error: str | None = None, **counts: int) -> dict[str, Any]:
    """A run-stream row of run 1 (every column given: one insert takes them all)."""
    zero = dict.fromkeys(("fetched", "inserted", "updated", "unchanged", "deleted"), 0)
    zero |= dict.fromkeys(("deleted_reported", "deleted_merged", "deleted_missing"), 0)
    zero |= dict.fromkeys(("restored", "quarantined", "api_calls"), 0)
    row = {"run_id": 1, "stream": name, "status": status, "error": error, "seconds": 1.5}
    return row | zero | counts


def _fill(url: str) -> None:
    engine = open_store(url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(RunRow.__table__), [{"source": "zoho", "started_at": T0}])  # type: ignore[attr-defined]
            conn.execute(
                insert(RunStreamRow.__table__),  # type: ignore[attr-defined]
                [
                    _stream("contacts", "succeeded", fetched=12, inserted=10, updated=2,
                            deleted=3, deleted_reported=2, deleted_merged=1, api_calls=4),
                    _stream("deals", "failed", error="HTTP 500"),
                ],
            )  # fmt: skip
            conn.execute(
                insert(StreamStateRow.__table__),  # type: ignore[attr-defined]
                [
                    {"source": "zoho", "stream": "contacts", "updated_at": T0,
                     "state": {"Contacts": {"cursor": "2026-10-30T23:00:00+01:00"}}},
                    {"source": "zoho", "stream": "deals", "updated_at": T0,
                     "state": {"Deals": {"cursor": 1793436000000}}},
                ],
            )  # fmt: skip
            quarantine = [
                {"source": "zoho", "stream": "contacts", "record_key": key, "reason": "bad",
                 "raw": {}, "first_seen_at": T0, "last_seen_at": T0, "resolved": resolved}
                for key, resolved in (("a", False), ("b", False), ("c", True))
            ]  # fmt: skip
            conn.execute(insert(QuarantineRow.__table__), quarantine)  # type: ignore[attr-defined]
            conn.execute(
                insert(DaemonJobRow.__table__),  # type: ignore[attr-defined]
                [
                    {"job": "zoho", "schedule": "every 15m", "next_run_at": T0 + HEARTBEAT,
                     "heartbeat_at": T0, "owner": "host:42", "last_status": "failed",
                     "last_finished_at": T0, "consecutive_failures": 2,
                     "backoff_until": T0 + 2 * HEARTBEAT, "last_error": "HTTP 500"},
                ],
            )  # fmt: skip
    finally:
        engine.dispose()


EXPECTED_STREAMS = [
    {
        "source": "zoho",
        "stream": "contacts",
        "last_run_at": T0,
        "run_id": 1,
        "status": "succeeded",
        "fetched": 12,
        "inserted": 10,
        "updated": 2,
        "deleted": 3,
        "deleted_reported": 2,
        "deleted_merged": 1,
        "deleted_missing": 0,
        "restored": 0,
        "api_calls": 4,
        "error": None,
        "cursor": "2026-10-30T22:00:00+00:00",
        "quarantined": 2,
    },
    {
        "source": "zoho",
        "stream": "deals",
        "last_run_at": T0,
        "run_id": 1,
        "status": "failed",
        "fetched": 0,
        "inserted": 0,
        "updated": 0,
        "deleted": 0,
        "deleted_reported": 0,
        "deleted_merged": 0,
        "deleted_missing": 0,
        "restored": 0,
        "api_calls": 0,
        "error": "HTTP 500",
        "cursor": "2026-10-31T08:40:00+00:00",
        "quarantined": 0,
    },
    {
        "source": "hubspot",
        "stream": None,
        "last_run_at": None,
        "status": None,
        "fetched": 0,
        "cursor": None,
        "quarantined": 0,
    },
]
EXPECTED_JOBS = [
    {
        "job": "zoho",
        "schedule": "every 15m",
        "next_run_at": T0 + HEARTBEAT,
        "daemon": "host:42",
        "last_status": "failed",
        "last_finished_at": T0,
        "consecutive_failures": 2,
        "backoff_until": T0 + 2 * HEARTBEAT,
        "last_error": "HTTP 500",
    }
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_driver_reads_what_the_engine_reads(backend: str, tmp_path: Path) -> None:
    with _store(backend, tmp_path) as url:
        _fill(url)
        now = T0 + HEARTBEAT
        with read_store(url) as store:
            assert (store.dialect, store.direct) == (backend, True)
            assert collect_status(store, ["zoho", "hubspot"]) == EXPECTED_STREAMS
            assert collect_jobs(store, now, HEARTBEAT) == EXPECTED_JOBS
            # a daemon silent for more than three heartbeats is not running
            late = collect_jobs(store, T0 + 4 * HEARTBEAT, HEARTBEAT)
            assert (late[0]["daemon"], late[0]["next_run_at"]) == ("not running", None)
        engine = open_store(url)
        try:
            assert collect_status(engine, ["zoho", "hubspot"]) == EXPECTED_STREAMS
            assert collect_jobs(engine, now, HEARTBEAT) == EXPECTED_JOBS
        finally:
            engine.dispose()


def test_a_missing_or_older_store_is_created_or_migrated_first(tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.sqlite"
    url = f"sqlite:///{path}"
    with read_store(url) as store:  # no file yet: created and migrated by open_store
        assert not store.direct
        assert collect_status(store, ["zoho"])[0]["status"] is None
    assert _revisions(path) == head_revisions()
    engine = open_store(url)
    try:
        with engine.begin() as conn:  # one migration back, as a store of an older crmsync
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.downgrade(config, "-1")
    finally:
        engine.dispose()
    older = _revisions(path)
    assert older and older != head_revisions()
    with read_store(url) as store:
        assert (store.dialect, store.direct) == ("sqlite", False)
        assert collect_status(store, ["zoho"])[0]["status"] is None
    assert _revisions(path) == head_revisions()


def _revisions(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
