"""The history rules in HubSpot (hubspot-api-client) and Zoho (plain HTTP, as Zoho's docs
do): in each CRM, Ada wins her deal and leaves it; Ben wins his the same way and raises its
amount five days later; Cy hands his deal to Dot five days before it is lost. Synced,
audited: the same findings and the same order as in Salesforce
(``test_audit_history_sandbox.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.deals import SimplePublicObjectInput, SimplePublicObjectInputForCreate
from sync_support import write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.world import World
from sync.audit import AuditConfig, AuditResult, run_audit
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
REPS = ("ada", "ben", "cy", "dot")
ZOHO_IDS = {rep: f"41508680000002250{n:02d}" for n, rep in enumerate(REPS, start=10)}
HUBSPOT_OWNERS = {rep: str(601 + n) for n, rep in enumerate(REPS)}


def _day(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _world() -> World:
    world = World.empty(19, "tiny", AS_OF)
    born = datetime(2025, 1, 1, tzinfo=UTC)
    for n, rep in enumerate(REPS):
        world.zoho["users"].insert(
            {
                **{f.name: None for f in world.zoho["users"].schema.fields},
                "id": ZOHO_IDS[rep],
                "first_name": rep.title(),
                "last_name": "Rep",
                "full_name": f"{rep.title()} Rep",
                "email": f"{rep}@acme.example",
                "status": "active",
                "role": "Sales Rep",
                "profile": "Standard",
                "created_time": born,
                "Modified_Time": born,
            }
        )
        world.hubspot_owners.append(
            {
                "id": HUBSPOT_OWNERS[rep],
                "email": f"{rep}@acme.example",
                "firstName": rep.title(),
                "lastName": "Rep",
                "userId": 9300 + n,
                "userIdIncludingInactive": 9300 + n,
                "type": "PERSON",
                "teams": [{"id": "88", "name": "field_sales", "primary": True}],
                "createdAt": born,
                "updatedAt": born,
                "archived": False,
            }
        )
    return world


class HubSpotOrg:
    def __init__(self, sandbox: Sandbox) -> None:
        info = sandbox.info
        self.api = HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        ).crm.deals.basic_api

    def create(self, rep: str, name: str) -> str:
        props = {
            "dealname": name,
            "pipeline": "default",
            "dealstage": "appointmentscheduled",
            "amount": "12000",
            "closedate": "2026-10-20",
            "hubspot_owner_id": HUBSPOT_OWNERS[rep],
        }
        return str(self.api.create(SimplePublicObjectInputForCreate(properties=props)).id)

    def update(self, deal: str, **props: str) -> None:
        self.api.update(deal, SimplePublicObjectInput(properties=props))


class ZohoOrg:
    def __init__(self, sandbox: Sandbox) -> None:
        self.info = sandbox.info
        self.http = pinned_session(self.info.ca_bundle)
        self.base = f"{self.info.zoho.api_domain}/crm/v8/Deals"

    def _login(self) -> None:
        """A fresh access token (one lives an hour of the sandbox clock)."""
        info = self.info
        token = self.http.post(
            f"{info.zoho.accounts_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": info.zoho.client_id,
                "client_secret": info.zoho.client_secret,
                "refresh_token": info.zoho.refresh_token,
            },
            timeout=30,
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Zoho-oauthtoken {token}"

    def create(self, rep: str, name: str) -> str:
        deal = {
            "Deal_Name": name,
            "Stage": "Qualification",
            "Amount": 12000,
            "Closing_Date": "2026-10-20",
            "Lead_Source": "Web Download",
            "Owner": {"id": ZOHO_IDS[rep]},
        }
        self._login()
        made = self.http.post(self.base, json={"data": [deal]}, timeout=30).json()["data"][0]
        assert made["status"] == "success", made
        return str(made["details"]["id"])

    def update(self, deal: str, **values: Any) -> None:
        self._login()
        answer = self.http.put(self.base, json={"data": [{"id": deal, **values}]}, timeout=30)
        assert answer.json()["data"][0]["status"] == "success", answer.text


def _story(org: HubSpotOrg | ZohoOrg, clock: ManualClock, crm: str) -> None:
    won, lost = ("closedwon", "closedlost") if crm == "hubspot" else ("Closed Won", "Closed Lost")
    stage = "dealstage" if crm == "hubspot" else "Stage"
    owner = "hubspot_owner_id" if crm == "hubspot" else "Owner"
    amount = "amount" if crm == "hubspot" else "Amount"
    clock.set(_day(9, 1))
    deals = {rep: org.create(rep, f"{rep} deal") for rep in ("ada", "ben", "cy")}
    clock.set(_day(10, 15))
    new_owner: Any = HUBSPOT_OWNERS["dot"] if crm == "hubspot" else {"id": ZOHO_IDS["dot"]}
    org.update(deals["cy"], **{owner: new_owner})
    clock.set(_day(10, 20, 15))
    org.update(deals["ada"], **{stage: won})
    org.update(deals["ben"], **{stage: won})
    org.update(deals["cy"], **{stage: lost})
    clock.set(_day(10, 25))
    org.update(deals["ben"], **{amount: "15000" if crm == "hubspot" else 15000})
    clock.set(AS_OF)


@pytest.fixture(scope="module", params=["hubspot", "zoho"])
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, AuditResult]]:
    crm = request.param
    workdir: Path = tmp_path_factory.mktemp(f"history-{crm}")
    clock = ManualClock(_day(9, 1))
    options = SandboxOptions(
        seed=19, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options, clock=clock, world=_world()) as sandbox:
        org = HubSpotOrg(sandbox) if crm == "hubspot" else ZohoOrg(sandbox)
        _story(org, clock, crm)
        store = f"sqlite:///{workdir / 'store.sqlite'}"
        config = load_config(write_config(sandbox, workdir, store, sources=(crm,)))
        engine = open_store(store)
        for source in config.sources:
            connector = build_connector(source)
            try:
                report = sync_source(engine, source, connector, SyncOptions(), clock.now)
                assert report.status == "succeeded", report.error
            finally:
                connector.close()
    yield crm, run_audit(engine, AuditConfig(), AS_OF, persist=False)
    engine.dispose()


def _key(result: AuditResult, crm: str, rep: str) -> str:
    user = HUBSPOT_OWNERS[rep] if crm == "hubspot" else ZOHO_IDS[rep]
    return next(s.subject for s in result.scores if (crm, user) in s.users)


def test_the_same_behaviour_is_the_same_finding_in_every_crm(
    audited: tuple[str, AuditResult],
) -> None:
    crm, result = audited

    def rules(rep: str) -> set[str]:
        user = HUBSPOT_OWNERS[rep] if crm == "hubspot" else ZOHO_IDS[rep]
        return {f.rule for f in result.findings if f.user_id == user}

    def score(rep: str) -> float:
        found = next(s.score for s in result.scores if s.subject == _key(result, crm, rep))
        assert found is not None
        return found

    # rules both reps share (no call logged, no contact role...) cancel out
    assert rules("ben") - rules("ada") == {"deal_changed_after_close"}
    assert rules("ada") - rules("ben") == set()
    assert score("ben") < score("ada")
    assert "lost_after_reassignment" in rules("cy")
    assert "lost_after_reassignment" not in rules("dot")
    message = next(f.message for f in result.findings if f.rule == "deal_changed_after_close")
    assert message.startswith("closed 2026-10-20, then amount 12000 -> 15000 on 2026-10-25 09:00")
