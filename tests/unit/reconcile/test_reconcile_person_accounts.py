"""A consumer's person account is no employer: its person compares with no company, like
the same consumer kept without one in another CRM; a business contact keeps its company."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.core.contract import Page
from connectors.core.records import Account, Contact
from sync.reconcile.entities import load_entities
from sync.store import open_store
from sync.store.pages import write_page

NOW = datetime(2026, 10, 31, tzinfo=UTC)


def test_a_person_accounts_contact_has_no_company(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    accounts = [
        Account(source="salesforce", remote_id="001B", name="Acme Labs Inc.", website="acme.com"),
        Account(
            source="salesforce",
            remote_id="001P",
            name="Ana Ruiz",
            person_contact_id="003P",
        ),
    ]
    contacts = [
        Contact(source="salesforce", remote_id="003B", first_name="Bo", last_name="Li",
                account_id="001B"),
        Contact(source="salesforce", remote_id="003P", first_name="Ana", last_name="Ruiz",
                email="ana.ruiz@gmail.com", account_id="001P"),
    ]  # fmt: skip
    try:
        with engine.begin() as conn:
            write_page(conn, "salesforce", Page("accounts", accounts, {}), "account", None, NOW)
            write_page(conn, "salesforce", Page("contacts", contacts, {}), "contact", None, NOW)
        people = {e.remote_id: e for e in load_entities(engine, "person")}
    finally:
        engine.dispose()
    assert (people["003P"].company, people["003P"].domain) == ("", None)
    assert people["003B"].company != "" and people["003B"].domain == "acme.com"
    # the person account stays the person's customer organisation
    assert people["003P"].org_ref == "salesforce:accounts:001P"
