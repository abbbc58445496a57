"""An increment re-states the stored pairs it does not score again where a new record
moves a side's best link: across CRMs a pair reaching the match threshold is a match only
while it is one side's best link into the other's CRM (100,000 synthetic people showed an
increment keeping such a match a full run kept for review), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sync_support import sqlite_or_postgres

from connectors.core.contract import Page
from connectors.core.records import Contact, Lead
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.run import reconcile
from sync.store import open_store
from sync.store.pages import write_page

NOW = datetime(2026, 10, 31, tzinfo=UTC)
OFFICE, MOBILE = "+44 113 496 0001", "+44 7700 900123"
KEPT = ("hubspot:contacts:1", "salesforce:leads:00Q1")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "store.sqlite")


def _write(engine: Engine, contacts: list[Contact], leads: list[Lead]) -> None:
    with engine.begin() as conn:
        if contacts:
            write_page(conn, "hubspot", Page("contacts", contacts, {}), "contact", None, NOW)
        if leads:
            write_page(conn, "salesforce", Page("leads", leads, {}), "lead", None, NOW)


def _pairs(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        query = text("SELECT a_key, b_key, score, status FROM reconcile_pairs WHERE kind='person'")
        return sorted(
            (*sorted((a, b)), score, status) for a, b, score, status in connection.execute(query)
        )


def test_a_new_better_match_demotes_a_kept_match_to_review_as_a_full_run_does(
    store_url: str,
) -> None:
    engine = open_store(store_url)
    try:
        _write(
            engine,
            [Contact(source="hubspot", remote_id="1", first_name="Ana", last_name="Ruiz",
                     email="ana@ruiz-lab.com", phone=OFFICE, city="Leeds")],
            [Lead(source="salesforce", remote_id="00Q1", first_name="Ana", last_name="Ruiz",
                  city="Leeds", phone=OFFICE, mobile=MOBILE, street="1 High Street",
                  postal_code="LS1 4AB", company="[not provided]"),
             Lead(source="salesforce", remote_id="00Q2", first_name="Ana", last_name="Ruiz",
                  city="Leeds", phone=OFFICE, email="ana@ruiz-lab.com",
                  company="[not provided]")],
        )  # fmt: skip
        config = ReconcileConfig()
        reconcile(engine, config, NOW, "full")
        assert [p[2:] for p in _pairs(engine) if p[:2] == KEPT] == [(17.5, "match")]
        # A new contact of the lead's home: the lead's best link into HubSpot now, while the
        # first contact's best into Salesforce is the other lead: the kept pair is no
        # side's best, so it stays for review (and no later increment links the two by it).
        _write(
            engine,
            [Contact(source="hubspot", remote_id="2", first_name="Ana", last_name="Ruiz",
                     city="Leeds", street="1 High Street", postal_code="LS1 4AB",
                     mobile=MOBILE)],
            [],
        )  # fmt: skip
        report = reconcile(engine, config, NOW + timedelta(hours=1), "auto")
        assert (report.mode, report.kinds["person"]["restated"]) == ("incremental", 1)
        incremental = _pairs(engine)
        assert [p[2:] for p in incremental if p[:2] == KEPT] == [(17.5, "review")]
        reconcile(engine, config, NOW + timedelta(hours=2), "full")
        assert incremental == _pairs(engine)
    finally:
        engine.dispose()
