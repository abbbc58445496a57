"""A small deterministic Salesforce org served over HTTPS for the contract tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.salesforce import SalesforceEmulator
from sandbox.tls import ensure_tls_files
from sandbox.world import World

SEED = 7
LEADS = 450
DELETED_LEADS = 5


@dataclass
class Org:
    base: str
    ca_bundle: Path
    credentials: SandboxCredentials
    app: SalesforceEmulator
    clock: ManualClock
    world: World


def _system(world: World, obj: str, when: datetime, user: str) -> dict[str, object]:
    return {
        "Id": world.mint("salesforce", obj),
        "IsDeleted": False,
        "CreatedDate": when,
        "CreatedById": user,
        "LastModifiedDate": when,
        "LastModifiedById": user,
        "SystemModstamp": when,
    }


def build_world() -> World:
    """Users, accounts, leads (some in the recycle bin), contacts and tasks."""
    world = World.empty(SEED, "tiny", DEFAULT_ANCHOR)
    sf = world.salesforce
    t0 = DEFAULT_ANCHOR - timedelta(days=30)
    users = []
    for i, (first, last) in enumerate([("Ada", "Admin"), ("Bo", "Seller")]):
        rid = world.mint("salesforce", "User")
        user = {
            "Id": rid,
            "CreatedDate": t0,
            "CreatedById": rid,
            "LastModifiedDate": t0,
            "LastModifiedById": rid,
            "SystemModstamp": t0,
            "Username": "integration@sandbox.crmsync.example" if i == 0 else "bo@example.com",
            "Email": f"{first.lower()}@example.com",
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "IsActive": True,
        }
        sf["User"].insert(user)
        users.append(rid)
    accounts = []
    for i in range(3):
        acc = _system(world, "Account", t0, users[0]) | {
            "Name": f"Account {i}",
            "OwnerId": users[i % 2],
            "AnnualRevenue": 1000.5 * (i + 1),
            "NumberOfEmployees": 10 * (i + 1),
        }
        sf["Account"].insert(acc)
        accounts.append(acc["Id"])
    statuses = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted")
    leads = []
    for i in range(LEADS):
        when = t0 + timedelta(hours=i)
        lead = _system(world, "Lead", when, users[0]) | {
            "FirstName": None if i % 10 == 0 else f"First{i}",
            "LastName": f"Last{i:03d}",
            "Name": f"Last{i:03d}" if i % 10 == 0 else f"First{i} Last{i:03d}",
            "Company": f"Company {i % 7}",
            "Email": f"lead{i}@example.com",
            "Status": statuses[i % 3],
            "LeadSource": "Web" if i % 2 == 0 else "Phone Inquiry",
            "OwnerId": users[i % 2],
            "IsConverted": False,
            "ConvertedDate": date(2026, 10, 1) + timedelta(days=i % 20) if i % 3 == 2 else None,
        }
        sf["Lead"].insert(lead)
        leads.append(lead["Id"])
    for rid in leads[-DELETED_LEADS:]:
        sf["Lead"].soft_delete(rid, DEFAULT_ANCHOR - timedelta(days=1))
    contact = _system(world, "Contact", t0, users[0]) | {
        "AccountId": accounts[0],
        "FirstName": "Cara",
        "LastName": "Contact",
        "Name": "Cara Contact",
        "OwnerId": users[1],
    }
    sf["Contact"].insert(contact)
    for who in (leads[0], contact["Id"], None):
        sf["Task"].insert(
            _system(world, "Task", t0, users[0])
            | {"Subject": f"Call {who}", "Status": "Completed", "WhoId": who, "OwnerId": users[0]}
        )
    return world


@pytest.fixture(scope="session")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    tls = ensure_tls_files(tmp_path_factory.mktemp("tls"))
    world = build_world()
    clock = ManualClock(DEFAULT_ANCHOR)
    credentials = SandboxCredentials.for_seed(SEED)
    app = SalesforceEmulator(world, clock, FaultPlan(), credentials)
    server = EmulatorServer(app, tls)
    base = server.start()
    try:
        yield Org(base, tls.ca_bundle, credentials, app, clock, world)
    finally:
        server.stop()


@pytest.fixture
def http(org: Org) -> Iterator[requests.Session]:
    session = requests.Session()
    session.verify = str(org.ca_bundle)
    # REQUESTS_CA_BUNDLE in the environment would otherwise replace the sandbox CA.
    session.trust_env = False
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def token(org: Org) -> str:
    return org.app.issue_token()


@pytest.fixture
def sf(org: Org, http: requests.Session, token: str) -> Salesforce:
    return Salesforce(instance_url=org.base, session_id=token, session=http, version="59.0")
