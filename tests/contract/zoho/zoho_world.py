"""The small deterministic Zoho world the contract tests serve, and the client handle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import requests

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.world import World
from sandbox.zoho import ZohoEmulator

SEED = 7
LEADS = 2_105
CONVERTED_EVERY = 100  # leads 0, 100, 200... are converted
START = DEFAULT_ANCHOR - timedelta(days=400)


@dataclass
class Sandbox:
    base_url: str
    ca_bundle: str
    credentials: SandboxCredentials
    app: ZohoEmulator
    clock: ManualClock
    world: World
    http: requests.Session
    token: str

    def session(self, token: str | None = None) -> requests.Session:
        """A new client session trusting the sandbox CA, optionally with a token."""
        return new_session(self.ca_bundle, token)

    def url(self, path: str) -> str:
        return f"{self.base_url}/crm/v8/{path.lstrip('/')}"


def new_session(ca_bundle: str, token: str | None = None) -> requests.Session:
    session = requests.Session()
    session.verify = ca_bundle
    # REQUESTS_CA_BUNDLE in the environment would otherwise override ``verify``
    session.trust_env = False
    if token:
        session.headers["Authorization"] = f"Zoho-oauthtoken {token}"
    return session


def build_world() -> World:
    world = World.empty(SEED, "tiny", DEFAULT_ANCHOR)
    z = world.zoho

    def insert(module: str, **values: object) -> str:
        rid = world.mint("zoho", module)
        record = {f.name: None for f in z[module].schema.fields}
        record.update(values, id=rid)
        z[module].insert(record)
        return rid

    users = []
    for i, (first, last, profile) in enumerate(
        [
            ("Patricia", "Boyle", "Administrator"),
            ("Omar", "Diaz", "Standard"),
            ("Li", "Wei", "Standard"),
        ]
    ):
        users.append(
            insert(
                "users",
                first_name=first,
                last_name=last,
                full_name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}@example.com",
                status="disabled" if i == 2 else "active",
                role="CEO" if i == 0 else "Sales Rep",
                profile=profile,
                created_time=START,
                Modified_Time=START,
                locale="en_US",
                time_zone="UTC",
            )
        )
    admin = users[0]
    stamp = {"Created_By": admin, "Modified_By": admin, "Owner": admin}
    accounts = [
        insert(
            "Accounts",
            Account_Name=f"Account {i}",
            Industry="Technology",
            Employees=10 * (i + 1),
            Annual_Revenue=1000.5 * (i + 1),
            Created_Time=START + timedelta(days=i),
            Modified_Time=START + timedelta(days=i),
            **stamp,
        )
        for i in range(5)
    ]
    for i in range(10):
        insert(
            "Contacts",
            First_Name=f"Cora{i}",
            Last_Name="Burns" if i < 3 else f"Smith{i}",
            Full_Name=f"Cora{i} {'Burns' if i < 3 else f'Smith{i}'}",
            Email=f"{'a' if i % 2 else 'b'}{i}@contacts.example.com",
            Phone=f"+1 555 010{i}",
            Account_Name=accounts[i % 5],
            Lead_Source="Chat" if i < 5 else "Partner",
            Created_Time=START + timedelta(days=i),
            Modified_Time=START + timedelta(days=i, hours=1),
            **stamp,
        )
    deals = [
        insert(
            "Deals",
            Deal_Name=f"Deal {i}",
            Stage="Qualification" if i < 2 else "Closed Won",
            Amount=100.0 * (i + 1),
            Closing_Date=date(2026, 1, 1) + timedelta(days=i),
            Probability=10.0 * i,
            Account_Name=accounts[i],
            Created_Time=START + timedelta(days=i),
            Modified_Time=START + timedelta(days=i),
            **stamp,
        )
        for i in range(5)
    ]
    insert(
        "Tasks",
        Subject="Call back",
        Status="Not Started",
        What_Id=deals[0],
        **{"$se_module": "Deals"},
        Created_Time=START,
        Modified_Time=START,
        **stamp,
    )
    for i in range(LEADS):
        insert(
            "Leads",
            First_Name=f"Lena{i}",
            Last_Name=f"Lead{i:04d}",
            Full_Name=f"Lena{i} Lead{i:04d}",
            Company=f"Company {i % 50}",
            Email=f"lead{i}@leads.example.com",
            Lead_Status="Not Contacted",
            Converted__s=i % CONVERTED_EVERY == 0,
            # modified times run backwards so that id order and time order differ
            Created_Time=START + timedelta(minutes=i),
            Modified_Time=START + timedelta(hours=LEADS - i),
            **stamp,
        )
    return world
