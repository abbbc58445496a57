"""Incremental reconcile follows the store's commit order, not the sync's clock: two sources
write pages at once on PostgreSQL, the page stamped first commits last, and reconcile still
resolves every record; a store migrated from time watermarks keeps what was still due."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import insert, inspect, select
from sync_support import postgres_schema, postgres_url, sqlite_or_postgres

from connectors.core.contract import Page, StreamInfo
from connectors.core.records import Contact
from sync.config.reconcile import ReconcileConfig
from sync.pull.deletes import check_missed_deletes
from sync.pull.guard import DeleteGuard
from sync.reconcile.blocking import BLOCKING_SCHEME
from sync.reconcile.reconciling import reconcile
from sync.store import migrate, open_store
from sync.store.changes import last_change
from sync.store.db import MIGRATIONS
from sync.store.identities import ReconcileRunRow
from sync.store.pages import row_values, write_page
from sync.store.records import ContactRow
from sync.store.view.identity_map import load_identity_map

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = ReconcileConfig()


def _page(source: str, remote_id: str, first: str) -> Page:
    person = Contact(
        source=source,
        remote_id=remote_id,
        first_name=first,
        last_name="Lee",
        email="robert.lee@acme.com",
        phone="+16175550101",
        city="Boston",
    )
    return Page(stream="contacts", records=[person], state={"after": remote_id})


def test_a_page_stamped_earlier_but_committed_later_is_reconciled() -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        engine = open_store(url)
        try:
            with engine.begin() as conn:
                write_page(conn, "hubspot", _page("hubspot", "1", "Robert"), "contact", None, T0)
            assert reconcile(engine, CONFIG, T0, "full").mode == "full"

            # Zoho's page is written first (stamped at T0 + 1 min) and stays uncommitted...
            slow = engine.connect()
            slow_transaction = slow.begin()
            zoho = _page("zoho", "z1", "Bob")
            write_page(slow, "zoho", zoho, "contact", None, T0 + timedelta(minutes=1))

            # ...while Salesforce writes a page stamped later, on its own connection.
            def salesforce_page() -> None:
                with engine.begin() as conn:
                    page = _page("salesforce", "003A", "Rob")
                    write_page(conn, "salesforce", page, "contact", None, T0 + timedelta(minutes=2))

            writer = threading.Thread(target=salesforce_page)
            writer.start()
            writer.join(timeout=1)  # done already, or waiting for Zoho's page to commit

            # A reconcile between the two commits must not move past Zoho's page.
            reconcile(engine, CONFIG, T0 + timedelta(minutes=3), "incremental")
            slow_transaction.commit()
            slow.close()
            writer.join(timeout=30)
            assert not writer.is_alive()
            reconcile(engine, CONFIG, T0 + timedelta(minutes=4), "incremental")

            ids = load_identity_map(engine)
            robert = ids.identity_of("hubspot", "contacts", "1")
            assert robert is not None
            assert ids.identity_of("zoho", "contacts", "z1") == robert
            assert ids.identity_of("salesforce", "contacts", "003A") == robert
        finally:
            engine.dispose()


def test_keys_stored_by_an_older_blocking_scheme_make_the_next_run_full(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with engine.begin() as conn:
            write_page(conn, "hubspot", _page("hubspot", "1", "Robert"), "contact", None, T0)
        assert reconcile(engine, CONFIG, T0, "auto").mode == "full"
        with engine.begin() as conn:
            write_page(conn, "zoho", _page("zoho", "z1", "Bob"), "contact", None, T0)
        assert reconcile(engine, CONFIG, T0, "auto").mode == "incremental"
        runs = ReconcileRunRow.__table__  # type: ignore[attr-defined]
        with engine.begin() as conn:  # as if the last run's keys were made by scheme 1
            conn.execute(runs.update().values(stats={"blocking_scheme": 1}))
            write_page(conn, "salesforce", _page("salesforce", "003A", "Rob"), "contact", None, T0)
        assert reconcile(engine, CONFIG, T0, "incremental").mode == "full"
        assert reconcile(engine, CONFIG, T0, "auto").mode == "incremental"
        ids = load_identity_map(engine)
        robert = ids.identity_of("hubspot", "contacts", "1")
        assert robert is not None and ids.identity_of("salesforce", "contacts", "003A") == robert
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "old.sqlite")


def test_migrated_rows_synced_after_the_last_reconcile_are_still_due(store_url: str) -> None:
    engine = open_store(store_url, migrate_schema=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    contacts = ContactRow.__table__  # type: ignore[attr-defined]
    runs = ReconcileRunRow.__table__  # type: ignore[attr-defined]
    old_columns = {c["name"] for c in inspect(engine).get_columns("contacts")}
    later = T0 + timedelta(hours=1)
    with engine.begin() as connection:
        rows = []
        for page, at in (
            (_page("hubspot", "1", "Robert"), T0),
            (_page("zoho", "z1", "Bob"), later),
        ):
            values = row_values(page.records[0])
            # Only the columns of the 0007 schema (later migrations add address columns).
            values = {k: v for k, v in values.items() if k in old_columns}
            values.update(source=page.records[0].source, content_hash="x")
            rows.append({**values, "first_seen_at": at, "synced_at": at})
        connection.execute(insert(contacts), rows)
        # a run whose keys were made as today's are (an older scheme makes the next run full)
        stats = {"blocking_scheme": BLOCKING_SCHEME}
        connection.execute(
            insert(runs).values(
                mode="full", started_at=T0, finished_at=T0, watermark=T0, stats=stats
            )
        )
    migrate(engine)
    with engine.connect() as connection:
        query = select(contacts.c.remote_id, contacts.c.change_seq)
        stamped = {remote_id: change for remote_id, change in connection.execute(query)}
        assert stamped == {"1": 1, "z1": 2}
        assert connection.execute(select(runs.c.change_seq)).scalar_one() == 1
        assert last_change(connection) == 2
    report = reconcile(engine, CONFIG, later, "auto")
    assert report.mode == "incremental" and report.kinds["person"]["changed"] == 1
    engine.dispose()


def test_deletes_from_a_page_and_from_an_id_check_reach_the_next_incremental_run(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.begin() as conn:
        write_page(conn, "hubspot", _page("hubspot", "1", "Robert"), "contact", None, T0)
        write_page(conn, "zoho", _page("zoho", "z1", "Bob"), "contact", None, T0)
        write_page(conn, "zoho", _page("zoho", "z2", "Rob"), "contact", None, T0)
    reconcile(engine, CONFIG, T0, "full")
    robert = load_identity_map(engine).identity_of("hubspot", "contacts", "1")
    assert robert is not None
    assert load_identity_map(engine).identity_of("zoho", "contacts", "z2") == robert

    # z1 is reported deleted by the CRM on a page; z2 is missing from a full id list.
    gone = Page(stream="contacts", records=[], state={"after": "z1"}, deleted_ids=["z1"])
    with engine.begin() as conn:
        write_page(conn, "zoho", gone, "contact", None, T0 + timedelta(minutes=1))
    info = StreamInfo(name="contacts", record_type="contact", remote_objects=("Contacts",))
    guard = DeleteGuard(engine, "zoho", 1.0, force=True)
    counts, refusal = check_missed_deletes(
        engine, "zoho", info, [], guard, None, T0 + timedelta(minutes=2)
    )
    assert (counts.deleted_missing, refusal) == (1, None)

    report = reconcile(engine, CONFIG, T0 + timedelta(minutes=3), "incremental")
    assert report.kinds["person"]["removed"] == 2
    ids = load_identity_map(engine)
    assert ids.identity_of("zoho", "contacts", "z1") is None
    assert ids.identity_of("zoho", "contacts", "z2") is None
    assert ids.identity_of("hubspot", "contacts", "1") is not None
    engine.dispose()
