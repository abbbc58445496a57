"""Person accounts: an org with the B2C line serves them, and the connector maps each to
a customer account that names its person, the person arriving through the contacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sfconn_support import read_all, records
from sqlalchemy import select

from connectors.core.contract import Page
from connectors.core.http import pinned_session
from connectors.core.records import Account, Contact
from connectors.salesforce import SalesforceConnector
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.store import open_store
from sync.store.pages import write_page
from sync.store.records import AccountRow

Connect = Callable[..., SalesforceConnector]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A tiny sandbox with the consumer line (it replaces the folder's small one)."""
    options = SandboxOptions(seed=3, scale="tiny", anchor=DEFAULT_ANCHOR, b2c=True)
    sandbox = Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR))
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _person_accounts(sb: Sandbox) -> list[dict]:
    return [r for r in sb.world.salesforce["Account"].live() if r["IsPersonAccount"]]


def test_describe_lists_the_person_fields(sb: Sandbox) -> None:
    info = sb.info.salesforce
    session = pinned_session(sb.info.ca_bundle)
    session.headers["Authorization"] = f"Bearer {info.access_token}"
    try:
        base = f"{info.instance_url}/services/data/v59.0/sobjects"
        account = session.get(f"{base}/Account/describe").json()
        contact = session.get(f"{base}/Contact/describe").json()
    finally:
        session.close()
    fields = {f["name"]: f for f in account["fields"]}
    assert fields["IsPersonAccount"]["type"] == "boolean"
    assert fields["PersonContactId"]["referenceTo"] == ["Contact"]
    assert fields["PersonEmail"]["type"] == "email"
    assert "IsPersonAccount" in {f["name"] for f in contact["fields"]}


def test_a_person_account_maps_to_an_account_that_names_its_person(
    sb: Sandbox, connect: Connect
) -> None:
    accounts = {r.remote_id: r for r in records(read_all(connect(), "accounts"))}
    consumers = _person_accounts(sb)
    assert len(consumers) == 4  # B2C_BUYERS["tiny"] is 8; every other buyer is in Salesforce
    for row in consumers:
        account = accounts[row["Id"]]
        assert isinstance(account, Account)
        assert account.person_contact_id == row["PersonContactId"]
        assert account.name == f"{row['FirstName']} {row['LastName']}"
        assert account.phone == row["PersonMobilePhone"]
        assert (account.city, account.postal_code, account.country) == (
            row["PersonMailingCity"],
            row["PersonMailingPostalCode"],
            row["PersonMailingCountry"],
        )
    business = [a for rid, a in accounts.items() if rid not in {r["Id"] for r in consumers}]
    assert business and all(a.person_contact_id is None for a in business)


def test_the_person_arrives_as_a_contact_of_its_account(sb: Sandbox, connect: Connect) -> None:
    contacts = {r.remote_id: r for r in records(read_all(connect(), "contacts"))}
    for row in _person_accounts(sb):
        person = contacts[row["PersonContactId"]]
        assert isinstance(person, Contact)
        assert person.account_id == row["Id"]
        assert (person.first_name, person.last_name, person.email) == (
            row["FirstName"],
            row["LastName"],
            row["PersonEmail"],
        )


def test_the_store_keeps_the_person_of_each_account(
    sb: Sandbox, connect: Connect, tmp_path: Path
) -> None:
    wanted = [a for a in records(read_all(connect(), "accounts"))]
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with engine.begin() as conn:
            write_page(
                conn, "salesforce", Page("accounts", wanted, {}), "account", None, DEFAULT_ANCHOR
            )
        with engine.connect() as conn:
            stored = dict(
                conn.execute(
                    select(AccountRow.remote_id, AccountRow.person_contact_id).where(
                        AccountRow.person_contact_id.is_not(None)  # type: ignore[union-attr]
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert stored == {r["Id"]: r["PersonContactId"] for r in _person_accounts(sb)}
