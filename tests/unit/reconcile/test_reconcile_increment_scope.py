"""An incremental run ends where a full run does when the change moves records it did not
write: the holders of an e-mail a new record holds too, and a store that has just grown
enough people to train a model (Splink's fake_1000 showed both); and when a new record
moves a side's best link: across CRMs a pair reaching the match threshold is a match only
while it is one side's best link into the other's CRM (100,000 synthetic people showed an
increment keeping such a match a full run kept for review), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from connectors.core.contract import Page
from connectors.core.records import Contact, Lead
from sync.config.reconcile import Learning, ReconcileConfig
from sync.reconcile.reconciling import reconcile
from sync.reconcile.training import NOTHING_LEARNED
from sync.store import open_store
from sync.store.pages import write_page
from tests.integration.sync_support import sqlite_or_postgres

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


def _result(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[str, ...]]]:
    with engine.connect() as connection:
        pairs = connection.execute(
            text("SELECT a_key, b_key, score, status FROM reconcile_pairs WHERE kind='person'")
        )
        members = connection.execute(
            text("SELECT identity_id, remote_id FROM identity_members WHERE kind = 'person'")
        )
        groups: dict[str, list[str]] = {}
        for identity, remote_id in members:
            groups.setdefault(identity, []).append(remote_id)
        # each pair by its two records, whichever a run put first
        found = [(*sorted((a, b)), score, status) for a, b, score, status in pairs]
        return sorted(found), sorted(tuple(sorted(g)) for g in groups.values())


def test_a_new_holder_of_an_address_moves_the_pair_of_its_earlier_holders(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    _write(
        engine,
        [Contact(source="hubspot", remote_id="1", first_name="Ana", last_name="Ruiz",
                 email="ana.ruiz@ruiz-lab.com", city="Leeds")],
        [Lead(source="salesforce", remote_id="00Q1", first_name="Ana", last_name="Ruiz",
              email="ana.ruiz@ruiz-lab.com", company="[not provided]")],
    )  # fmt: skip
    config = ReconcileConfig()
    reconcile(engine, config, NOW, "full")
    (pair,), _ = _result(engine)
    # Another person with the same address: it is now held by two people ("shared")
    _write(
        engine,
        [],
        [Lead(source="salesforce", remote_id="00Q2", first_name="Bo", last_name="Li",
              email="ana.ruiz@ruiz-lab.com", company="[not provided]")],
    )  # fmt: skip
    report = reconcile(engine, config, NOW + timedelta(hours=1), "auto")
    person = report.kinds["person"]
    assert (report.mode, person["changed"], person["moved"]) == ("incremental", 1, 2)
    incremental = _result(engine)
    reconcile(engine, config, NOW + timedelta(hours=2), "full")
    assert incremental == _result(engine)
    (again, *_), _ = incremental
    assert again[:2] == pair[:2] and again[2] < pair[2]  # the address weighs less now


def test_an_increment_runs_in_full_once_the_people_are_enough_to_train(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    names = [("Ana", "Ruiz"), ("Bo", "Li"), ("Cy", "Moss"), ("Di", "Kerr"), ("Ed", "Vane")]
    leads = [
        Lead(source="salesforce", remote_id=f"00Q{n}", first_name=first, last_name=last,
             email=f"{first}.{last}@{last}-lab.com".lower(), company="[not provided]")
        for n, (first, last) in enumerate(names)
    ]  # fmt: skip
    _write(engine, [], leads[:3])
    config = ReconcileConfig(learning=Learning(min_records=4))
    first = reconcile(engine, config, NOW, "full").kinds["person"]
    assert (first["records"], first.get("learned")) == (3, None)  # too few: not tried
    _write(engine, [], leads[3:])
    # 5 people now and no model: a full run would train, so the run goes in full
    report = reconcile(engine, config, NOW + timedelta(hours=1), "auto")
    assert report.mode == "full" and report.kinds["person"]["trained_s"] is not None
    # tried on 5 and nothing learned (too few pairs): the next change is an increment
    assert report.kinds["person"]["learned"] == NOTHING_LEARNED
    _write(engine, [], [replace(leads[0], remote_id="00Q9")])
    assert reconcile(engine, config, NOW + timedelta(hours=2), "auto").mode == "incremental"


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
        pairs, _ = _result(engine)
        assert [p[2:] for p in pairs if p[:2] == KEPT] == [(17.5, "match")]
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
        incremental = _result(engine)
        assert [p[2:] for p in incremental[0] if p[:2] == KEPT] == [(17.5, "review")]
        reconcile(engine, config, NOW + timedelta(hours=2), "full")
        assert incremental == _result(engine)
    finally:
        engine.dispose()
