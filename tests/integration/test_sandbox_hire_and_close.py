"""What a test needs to act like a company through the CRMs' APIs: hire people (Zoho's
users API, HubSpot's user provisioning), close a Salesforce case, and find HubSpot's
read-only original source set on what the API creates. Each through the official client
(simple-salesforce, hubspot-api-client) or plain HTTP for Zoho, as their docs do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException, SimplePublicObjectInputForCreate
from hubspot.crm.contacts import SimplePublicObjectInput as ContactUpdate
from hubspot.settings.users import UserProvisionRequest
from simple_salesforce import Salesforce
from sqlalchemy import text
from sync_support import salesforce_client, write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store

START = DEFAULT_ANCHOR + timedelta(days=1, hours=9)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, ManualClock]]:
    clock = ManualClock(START)
    options = SandboxOptions(
        seed=5,
        scale="tiny",
        state_dir=tmp_path_factory.mktemp("hire"),
        anchor=DEFAULT_ANCHOR,
    )
    with Sandbox(options, clock=clock) as sandbox:
        yield sandbox, clock


def _salesforce(sandbox: Sandbox) -> Salesforce:
    return salesforce_client(sandbox.info)


def _hubspot(sandbox: Sandbox) -> HubSpot:
    info = sandbox.info
    return HubSpot(
        access_token=info.hubspot.access_token,
        host=info.hubspot.base_url,
        ssl_ca_cert=str(info.ca_bundle),
    )


def _zoho(sandbox: Sandbox) -> tuple[requests.Session, str]:
    info = sandbox.info
    http = pinned_session(info.ca_bundle)
    token = http.post(
        f"{info.zoho.accounts_url}/oauth/v2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": info.zoho.client_id,
            "client_secret": info.zoho.client_secret,
            "refresh_token": info.zoho.refresh_token,
        },
        timeout=30,
    ).json()["access_token"]
    http.headers["Authorization"] = f"Zoho-oauthtoken {token}"
    return http, f"{info.zoho.api_domain}/crm/v8"


def test_a_salesforce_case_closes_and_reopens_through_the_api(
    running: tuple[Sandbox, ManualClock],
) -> None:
    sandbox, clock = running
    sf = _salesforce(sandbox)
    case = sf.Case.create({"Subject": "Pump leaks", "Origin": "Phone"})["id"]
    opened = sf.Case.get(case)
    assert (opened["Status"], opened["IsClosed"], opened["ClosedDate"]) == ("New", False, None)
    clock.set(START + timedelta(hours=5))
    sf = _salesforce(sandbox)  # a session lives two hours of the sandbox clock
    sf.Case.update(case, {"Status": "Closed"})
    closed = sf.Case.get(case)
    assert closed["IsClosed"] is True
    assert closed["ClosedDate"] == "2026-11-01T14:00:00.000+0000"
    rows = sf.query(f"SELECT Field, OldValue, NewValue FROM CaseHistory WHERE CaseId = '{case}'")
    assert [(r["Field"], r["OldValue"], r["NewValue"]) for r in rows["records"]] == [
        ("created", None, None),
        ("Status", "New", "Closed"),
    ]
    clock.set(START + timedelta(hours=6))
    sf.Case.update(case, {"Status": "Working"})
    reopened = sf.Case.get(case)
    assert (reopened["IsClosed"], reopened["ClosedDate"]) == (False, None)


def test_hubspot_sets_the_original_source_of_what_the_api_creates(
    running: tuple[Sandbox, ManualClock],
) -> None:
    sandbox, _ = running
    contacts = _hubspot(sandbox).crm.contacts.basic_api
    made = contacts.create(
        SimplePublicObjectInputForCreate(properties={"email": "nina@api.example"})
    )
    read = contacts.get_by_id(made.id, properties=["hs_analytics_source"])
    assert read.properties["hs_analytics_source"] == "OFFLINE"
    with pytest.raises(ApiException) as refused:
        contacts.update(
            made.id, ContactUpdate(properties={"hs_analytics_source": "ORGANIC_SEARCH"})
        )
    assert refused.value.status == 400 and "READ_ONLY_VALUE" in str(refused.value.body)


def test_hire_a_hubspot_user_who_then_owns_records(
    running: tuple[Sandbox, ManualClock],
) -> None:
    sandbox, _ = running
    client = _hubspot(sandbox)
    teams = client.settings.users.teams_api.get_all().results
    team = teams[0].id
    user = client.settings.users.users_api.create(
        UserProvisionRequest(
            email="hana@acme.example", primary_team_id=team, send_welcome_email=False
        )
    )
    assert (user.email, user.primary_team_id) == ("hana@acme.example", team)
    owners = client.crm.owners.owners_api.get_page(email="hana@acme.example").results
    assert [(o.email, o.user_id, o.teams[0].id) for o in owners] == [
        ("hana@acme.example", int(user.id), team)
    ]
    deal = client.crm.deals.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "dealname": "Hana's first",
                "pipeline": "default",
                "dealstage": "appointmentscheduled",
                "hubspot_owner_id": owners[0].id,
            }
        )
    )
    assert deal.properties["hubspot_owner_id"] == owners[0].id


def test_hire_a_zoho_user_who_then_owns_records(running: tuple[Sandbox, ManualClock]) -> None:
    sandbox, clock = running
    http, base = _zoho(sandbox)
    roles = {u["role"]["name"]: u["role"]["id"] for u in http.get(f"{base}/users").json()["users"]}
    answer = http.post(
        f"{base}/users",
        json={
            "users": [
                {
                    "first_name": "Ivo",
                    "last_name": "Hired",
                    "email": "ivo@acme.example",
                    "role": roles["Sales Rep"]
                    if "Sales Rep" in roles
                    else next(iter(roles.values())),
                    "profile": "Standard",
                }
            ]
        },
        timeout=30,
    )
    assert answer.status_code == 201
    result = answer.json()["users"][0]
    assert (result["code"], result["message"]) == ("SUCCESS", "User added")
    new_id = result["details"]["id"]
    user = http.get(f"{base}/users/{new_id}").json()["users"][0]
    assert (user["full_name"], user["email"], user["status"]) == (
        "Ivo Hired",
        "ivo@acme.example",
        "active",
    )
    assert user["created_time"] == clock.now().astimezone(UTC).isoformat(timespec="seconds")
    again = http.post(
        f"{base}/users",
        json={
            "users": [{"last_name": "Twice", "email": "ivo@acme.example", "profile": "Standard"}]
        },
        timeout=30,
    )
    assert again.status_code == 400
    assert again.json()["users"][0]["code"] == "DUPLICATE_DATA"
    made = http.post(
        f"{base}/Deals",
        json={
            "data": [
                {"Deal_Name": "Ivo's first", "Stage": "Qualification", "Owner": {"id": new_id}}
            ]
        },
        timeout=30,
    ).json()["data"][0]
    assert made["status"] == "success"
    deal = http.get(f"{base}/Deals/{made['details']['id']}").json()["data"][0]
    assert deal["Owner"]["id"] == new_id and deal["Owner"]["name"] == "Ivo Hired"


def test_the_hired_people_are_synced_as_users(
    running: tuple[Sandbox, ManualClock], tmp_path: Path
) -> None:
    sandbox, clock = running
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    config = load_config(write_config(sandbox, tmp_path, store, sources=("hubspot", "zoho")))
    engine = open_store(store)
    for source in config.sources:
        connector = build_connector(source)
        try:
            report = sync_source(
                engine, source, connector, SyncOptions(streams=("users",)), clock.now
            )
        finally:
            connector.close()
        assert report.status == "succeeded", report.error
    with engine.connect() as conn:
        hired = conn.execute(
            text(
                "SELECT source, email, is_active FROM users "
                "WHERE email IN ('hana@acme.example', 'ivo@acme.example') ORDER BY source"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in hired] == [
        ("hubspot", "hana@acme.example", 1),
        ("zoho", "ivo@acme.example", 1),
    ]
