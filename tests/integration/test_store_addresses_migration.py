"""Migration 0010 on SQLite and PostgreSQL: existing leads, contacts and accounts keep every
value and gain empty address columns that a later sync fills; downgrade removes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sync_support import alembic_config, sqlite_or_postgres

from connectors.core.contract import Page
from connectors.core.records import Account, Lead
from sync.store import migrate, open_store
from sync.store.pages import write_page

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "old.sqlite")


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_old_rows_keep_their_values_and_gain_empty_address_columns(store_url: str) -> None:
    engine = open_store(store_url, migrate_schema=False)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
    assert "state" not in _columns(engine, "leads")
    assert not {"street", "state", "postal_code"} & _columns(engine, "accounts")
    with engine.begin() as connection:
        # Rows as the 0008 schema holds them (no state yet), written with plain SQL.
        common = {"content_hash": "x", "first_seen_at": T0, "synced_at": T0, "is_deleted": False}
        leads = sa.table(
            "leads",
            *(sa.column(n) for n in ("source", "remote_id", "last_name", "city", "postal_code")),
            *(sa.column(n) for n in (*common, "converted", "other_emails", "merged_ids")),
            sa.column("custom_fields"),
            sa.column("raw"),
        )
        connection.execute(
            sa.insert(leads).values(
                source="salesforce", remote_id="00Q1", last_name="Waller", city="St James",
                postal_code="4011", converted=False, other_emails="[]", merged_ids="[]",
                custom_fields="{}", raw="{}", **common,
            )
        )  # fmt: skip
    migrate(engine)
    assert {"state"} <= _columns(engine, "leads") and {"state"} <= _columns(engine, "contacts")
    assert {"street", "state", "postal_code"} <= _columns(engine, "accounts")
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT last_name, city, postal_code, state FROM leads")
        ).one()
    assert tuple(row) == ("Waller", "St James", "4011", None)

    # The new columns take what the connectors map.
    lead = Lead(source="salesforce", remote_id="00Q1", last_name="Waller", state="WA")
    account = Account(
        source="salesforce", remote_id="001A", name="Waller Pty", street="6 Tullaroop St",
        state="WA", postal_code="4011",
    )  # fmt: skip
    with engine.begin() as connection:
        write_page(connection, "salesforce", Page("leads", [lead], {}), "lead", None, T0)
        write_page(connection, "salesforce", Page("accounts", [account], {}), "account", None, T0)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT state FROM leads")).scalar_one() == "WA"
        stored = connection.execute(
            sa.text("SELECT street, state, postal_code FROM accounts")
        ).one()
    assert tuple(stored) == ("6 Tullaroop St", "WA", "4011")

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009")
    assert "state" not in _columns(engine, "contacts")
    assert not {"street", "state", "postal_code"} & _columns(engine, "accounts")
    engine.dispose()
