"""A value the store refuses (a NUL character, an integer beyond its column) quarantines
its record with the reason; the rest of the page and the cursor commit, and the next run
goes on. Shown on SQLite and PostgreSQL with records created through Zoho's API, and with a
value only the database itself refuses (a missing required column)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select
from sync_support import sqlite_or_postgres

from connectors.core.contract import Page
from connectors.core.records import Contact, DealContact
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import CrmsyncConfig, load_config
from sync.pull import SourceReport, SyncOptions, sync_source
from sync.pull.runs import load_state
from sync.sources import build_connector
from sync.store import TABLES
from sync.store.bookkeeping import QuarantineRow
from sync.store.pages import write_page
from tests.integration.sync_support import expected_live_ids, opened, store_live_ids, write_config


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "s.sqlite")


def _zoho(sandbox: Sandbox) -> tuple[requests.Session, str]:
    """A session on the Zoho emulator's API, authorised like any Zoho client."""
    zoho = sandbox.info.zoho
    http = requests.Session()
    http.verify = str(sandbox.info.ca_bundle)
    http.trust_env = False
    token = http.post(
        f"{zoho.accounts_url}/oauth/v2/token",
        params={
            "grant_type": "refresh_token",
            "client_id": zoho.client_id,
            "client_secret": zoho.client_secret,
            "refresh_token": zoho.refresh_token,
        },
    ).json()["access_token"]
    http.headers["Authorization"] = f"Zoho-oauthtoken {token}"
    return http, f"{zoho.api_domain}/crm/v8"


def _create(http: requests.Session, base: str, module: str, values: dict[str, object]) -> str:
    response = http.post(f"{base}/{module}", json={"data": [values]})
    assert response.status_code == 201, response.text
    return str(response.json()["data"][0]["details"]["id"])


def _run(config: CrmsyncConfig, engine: Engine) -> SourceReport:
    source = config.source("zoho")
    connector = build_connector(source)
    try:
        return sync_source(engine, source, connector, SyncOptions(), now=_now)
    finally:
        connector.close()


def test_a_refused_value_quarantines_its_record_and_the_stream_goes_on(
    sandbox: Sandbox, store_url: str, tmp_path: Path
) -> None:
    http, base = _zoho(sandbox)
    with http:
        nul = _create(http, base, "Contacts", {"First_Name": "Ada", "Last_Name": "Love\x00lace"})
        huge = _create(http, base, "Accounts", {"Account_Name": "Vast", "Employees": 10**12})
    config = load_config(write_config(sandbox, tmp_path, store_url, ("zoho",)))
    with opened(store_url) as engine:
        report = _run(config, engine)
        assert report.status == "succeeded", report.error
        by_stream = {s.stream: s.counts for s in report.streams}
        assert (by_stream["contacts"].quarantined, by_stream["accounts"].quarantined) == (1, 1)
        table = QuarantineRow.__table__  # type: ignore[attr-defined]
        with engine.connect() as conn:
            rows = {r.remote_id: r for r in conn.execute(select(table).order_by(table.c.stream))}
        assert set(rows) == {nul, huge}
        assert (rows[nul].source, rows[nul].stream) == ("zoho", "contacts")
        assert rows[nul].reason == (
            "record cannot be stored: field last_name: text with a NUL character (\\x00)"
        )
        assert rows[nul].raw["Last_Name"] == "Love\\x00lace"
        assert (rows[huge].source, rows[huge].stream) == ("zoho", "accounts")
        assert rows[huge].reason == (
            "record cannot be stored: field employees: 1000000000000 is out of the "
            "store's range (-2147483648 to 2147483647)"
        )
        for stream in ("contacts", "accounts"):
            assert store_live_ids(engine, "zoho", stream) == expected_live_ids(
                sandbox, "zoho", stream
            ) - {nul, huge}

        # The stream is not stuck on them: a record created later arrives with the next run,
        # and the refused ones (read again at the cursor's edge) stay quarantined once.
        with http:
            later = _create(http, base, "Contacts", {"First_Name": "Grace", "Last_Name": "Hopper"})
        again = _run(config, engine)
        assert again.status == "succeeded", again.error
        assert later in store_live_ids(engine, "zoho", "contacts")
        with engine.connect() as conn:
            assert sorted(conn.execute(select(table.c.remote_id))) == sorted([(nul,), (huge,)])


def _links(*deals: str | None) -> Page:
    records = [
        DealContact(source="hubspot", remote_id=f"L{n}", deal_id=deal, contact_id="C1")  # type: ignore[arg-type]
        for n, deal in enumerate(deals)
    ]
    return Page(stream="deals", records=records, state={"after": "L2"})


def test_a_row_the_database_refuses_is_quarantined_inside_the_page_transaction(
    store_url: str,
) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    links = TABLES["deal_contact"].__table__  # type: ignore[attr-defined]
    quarantine = QuarantineRow.__table__  # type: ignore[attr-defined]
    with opened(store_url) as engine:
        # Rolled back, the page leaves nothing behind: the per-row savepoints do not commit.
        with engine.connect() as conn, conn.begin() as transaction:
            write_page(conn, "hubspot", _links("D1", None, "D3"), "deal", None, now)
            transaction.rollback()
        with engine.connect() as conn:
            assert conn.execute(select(links.c.remote_id)).all() == []
            assert conn.execute(select(quarantine.c.remote_id)).all() == []
        assert load_state(engine, "hubspot", "deals") is None

        with engine.begin() as conn:
            counts = write_page(conn, "hubspot", _links("D1", None, "D3"), "deal", None, now)
        links_counts, deals_counts = counts["deal_contact"], counts["deal"]
        # the links are counted as deal contacts; the refused one is the deals stream's
        assert (links_counts.fetched, links_counts.inserted, deals_counts.quarantined) == (3, 2, 1)
        with engine.connect() as conn:
            stored = sorted(r for (r,) in conn.execute(select(links.c.remote_id)))
            refused = conn.execute(select(quarantine)).one()
        assert stored == ["L0", "L2"]
        assert (refused.source, refused.stream, refused.remote_id) == ("hubspot", "deals", "L1")
        assert refused.reason.startswith("record cannot be stored: the database refused a value: ")
        assert "deal_id" in refused.reason and "INSERT" not in refused.reason
        assert load_state(engine, "hubspot", "deals") == {"after": "L2"}


def test_each_kind_of_refused_value_is_quarantined_with_its_reason(store_url: str) -> None:
    long_id = "9" * 65
    page = Page(
        stream="contacts",
        records=[
            Contact(source="zoho", remote_id="ok", last_name="Fine"),
            Contact(source="zoho", remote_id="nul", custom_fields={"Note": "a\x00b"}),
            Contact(source="zoho", remote_id="surrogate", first_name="Ada\ud800"),
            Contact(source="zoho", remote_id="big", raw={"n": 2**70}),
            Contact(source="zoho", remote_id=long_id, last_name="Long"),
        ],
        state={"after": "x"},
    )
    quarantine = QuarantineRow.__table__  # type: ignore[attr-defined]
    limit = "(-9223372036854775808 to 9223372036854775807)"
    with opened(store_url) as engine:
        with engine.begin() as conn:
            counts = write_page(
                conn, "zoho", page, "contact", None, datetime(2026, 3, 1, tzinfo=UTC)
            )["contact"]
        assert (counts.inserted, counts.quarantined) == (1, 4)
        assert store_live_ids(engine, "zoho", "contacts") == {"ok"}
        with engine.connect() as conn:
            rows = conn.execute(
                select(quarantine.c.remote_id, quarantine.c.reason, quarantine.c.raw)
            )
            found = {(rid, reason) for rid, reason, _raw in rows}
    prefix = "record cannot be stored: field "
    assert found == {
        ("nul", prefix + "custom_fields.Note: text with a NUL character (\\x00)"),
        ("surrogate", prefix + "first_name: text with an invalid character (a lone surrogate)"),
        ("big", prefix + f"raw.n: 1180591620717411303424 is out of the store's range {limit}"),
        (None, prefix + "remote_id: text of 65 characters, longer than the store's 64"),
    }
