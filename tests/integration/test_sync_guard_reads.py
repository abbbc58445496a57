"""The delete guard reads a table only when a run deletes from it, and its share is still of
the rows live at the run's start plus those the run added.

An incremental run that changes nothing marks nothing deleted: it must not count every
record table of the source (at scale those counts were the run's largest fixed cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from connectors.core.contract import Page
from connectors.core.records import Contact
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.pull.guard import COUNT_AHEAD, DeleteGuard
from sync.sources import build_connector
from sync.store import TABLES, open_store
from sync.store.pages import PageCounts, write_page
from tests.integration.sync_support import write_config

T0 = datetime(2026, 10, 31, tzinfo=UTC)
RECORD_TABLES = {model.__table__.name for model in TABLES.values()}  # type: ignore[attr-defined]
FROM = re.compile(r"\bFROM (\w+)", re.IGNORECASE)


@contextmanager
def _counted_tables(engine: Engine) -> Iterator[list[str]]:
    """The record tables counted by the statements ``engine`` runs inside the block."""
    found: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "count(" in statement.lower():
            found.extend(t for t in FROM.findall(statement) if t in RECORD_TABLES)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _person(remote_id: str) -> Contact:
    return Contact(source="zoho", remote_id=remote_id, first_name="Ann", last_name="Lee")


@contextmanager
def _contacts_store(tmp_path: Path, count: int) -> Iterator[Engine]:
    """A store holding ``count`` live Zoho contacts, ``c0``, ``c1``..."""
    engine = open_store(f"sqlite:///{tmp_path}/s.sqlite")
    try:
        _write(engine, Page("contacts", [_person(f"c{i}") for i in range(count)], {}))
        yield engine
    finally:
        engine.dispose()


def _write(engine: Engine, page: Page) -> dict[str, PageCounts]:
    with engine.begin() as conn:
        return write_page(conn, "zoho", page, "contact", None, T0)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


def test_an_incremental_run_that_deletes_nothing_counts_no_table(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config_path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.sqlite", ("zoho",))
    config = load_config(config_path)
    source = config.source("zoho")
    engine = open_store(config.store.url)
    try:
        for _ in range(2):  # a first, full run, then an incremental one with nothing new
            connector = build_connector(source)
            try:
                with _counted_tables(engine) as counted:
                    report = sync_source(engine, source, connector, SyncOptions(), now=lambda: T0)
            finally:
                connector.close()
            assert report.status == "succeeded"
            assert sum(s.counts.deleted for s in report.streams) == 0
            assert counted == []
    finally:
        engine.dispose()


def test_the_share_is_of_the_rows_live_at_the_start_plus_those_added(tmp_path: Path) -> None:
    with _contacts_store(tmp_path, 20) as engine:
        guard = DeleteGuard(engine, "zoho", 0.5, force=False)
        # The run adds 4 people, then a page deletes 2 of the 20: weighed before it commits,
        # as the runner does, the base is 20 + 4 = 24, counted only now.
        added = _write(engine, Page("contacts", [_person(f"n{i}") for i in range(4)], {}))
        guard.note("contact", added["contact"])
        with engine.connect() as conn, conn.begin():
            page = Page("contacts", [], {}, deleted_ids=["c0", "c1"])
            gone = write_page(conn, "zoho", page, "contact", None, T0)
            assert gone["contact"].deleted == 2
            with _counted_tables(engine) as counted:
                assert guard.page_refusal(gone, {"contact": "contacts"}) is None
        assert counted == ["contacts"]  # that kind's table, once
        guard.note("contact", gone["contact"])
        # Counted once: more deletes are weighed against the same base.
        # 2 marked + 11 more = 13 of 24 (54%): refused, naming the same base.
        assert guard.refusal("contact", "contacts", 11, "test") == (
            "refused to mark 13 of 24 contacts deleted in one run (54.2% > the 50% guard): "
            "test; re-run with --force if they really were deleted"
        )
        assert guard.refusal("contact", "contacts", 10, "test") is None  # 12 of 24


def test_a_page_that_updates_enough_live_rows_beside_its_deletes_counts_no_table(
    tmp_path: Path,
) -> None:
    with _contacts_store(tmp_path, 20) as engine:
        guard = DeleteGuard(engine, "zoho", 0.5, force=False)
        changed = [
            Contact(source="zoho", remote_id=f"c{i}", first_name="Ann", last_name="Lea")
            for i in range(2, 7)
        ]
        with engine.connect() as conn, conn.begin():
            # 5 live rows updated (and 2 re-read unchanged) beside 2 deletes: 7 live rows
            # are known, more than the 2 * 2 + 1 that let 2 deletes through
            again = [_person("c7"), _person("c8")]
            page = Page("contacts", [*changed, *again], {}, deleted_ids=["c0", "c1"])
            counts = write_page(conn, "zoho", page, "contact", None, T0)
            assert counts["contact"].kept_live == 7
            with _counted_tables(engine) as counted:
                assert guard.page_refusal(counts, {"contact": "contacts"}) is None
        assert counted == []
        guard = DeleteGuard(engine, "zoho", 0.5, force=False)  # another run
        with engine.connect() as conn, conn.begin():
            # 1 live row known, 3 deletes need 7: the table is counted, as before
            page = Page("contacts", [_person("c9")], {}, deleted_ids=["c10", "c11", "c12"])
            counts = write_page(conn, "zoho", page, "contact", None, T0)
            assert counts["contact"].kept_live == 1
            with _counted_tables(engine) as counted:
                assert guard.page_refusal(counts, {"contact": "contacts"}) is None
        assert counted == ["contacts"]


def test_a_lower_bound_once_counted_lets_later_pages_through_uncounted(tmp_path: Path) -> None:
    with _contacts_store(tmp_path, 30) as engine:
        guard = DeleteGuard(engine, "zoho", 0.2, force=False, dry_run=True)
        with _counted_tables(engine) as counted:
            assert guard.refusal("contact", "contacts", 2, "test") is None  # 30 < COUNT_AHEAD
            guard.note("contact", PageCounts(deleted=2))
            assert guard.refusal("contact", "contacts", 4, "test") is None  # 6 of 30
            assert guard.refusal("contact", "contacts", 10, "test") == (
                "refused to mark 12 of 30 contacts deleted in one run (40.0% > the 20% guard): "
                "test; re-run with --force if they really were deleted"
            )
        assert counted == ["contacts"]  # the whole table, once: the base is known


def test_a_table_larger_than_the_count_ahead_is_counted_again_only_when_needed(
    tmp_path: Path,
) -> None:
    with _contacts_store(tmp_path, COUNT_AHEAD + 5) as engine:
        guard = DeleteGuard(engine, "zoho", 0.5, force=False)
        with _counted_tables(engine) as counted:
            assert guard.refusal("contact", "contacts", 2, "test") is None  # 250 at least
            guard.note("contact", PageCounts(deleted=2))
            assert guard.refusal("contact", "contacts", 4, "test") is None
            assert counted == ["contacts"]
            # 152 deletes need 304 rows: more than the bound, so the table is counted
            # (255 live, plus the 2 noted as marked, which this test did not delete)
            assert guard.refusal("contact", "contacts", 150, "test") == (
                "refused to mark 152 of 257 contacts deleted in one run (59.1% > the 50% "
                "guard): test; re-run with --force if they really were deleted"
            )
        assert counted == ["contacts", "contacts"]


def test_a_dry_run_share_counts_the_pages_it_did_not_commit(tmp_path: Path) -> None:
    with _contacts_store(tmp_path, 20) as engine:
        guard = DeleteGuard(engine, "zoho", 0.5, force=False, dry_run=True)
        guard.note("contact", PageCounts(inserted=4))  # a page read, rolled back
        assert guard.refusal("contact", "contacts", 13, "test") == (
            "refused to mark 13 of 24 contacts deleted in one run (54.2% > the 50% guard): "
            "test; re-run with --force if they really were deleted"
        )
