"""Response and resolution times measured on records written through the CRMs' APIs:
a Zoho lead called 72 h after it came in (the call's Who_Id names the lead) and a HubSpot
ticket closed 24 h after it was opened, audited ten days later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.tickets import SimplePublicObjectInput, SimplePublicObjectInputForCreate
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

LEAD_IN = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
TICKET_OPENED = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
AS_OF = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # 240 h after the ticket was opened


def _world() -> World:
    world = World.empty(13, "tiny", AS_OF)
    born = datetime(2025, 1, 1, tzinfo=UTC)
    world.zoho["users"].insert(
        {
            **{f.name: None for f in world.zoho["users"].schema.fields},
            "id": "4150868000000225013",
            "first_name": "Zoe",
            "last_name": "Zeal",
            "full_name": "Zoe Zeal",
            "email": "zoe@acme.example",
            "status": "active",
            "role": "Sales Rep",
            "profile": "Standard",
            "created_time": born,
            "Modified_Time": born,
        }
    )
    world.hubspot_owners.append(
        {
            "id": "501",
            "email": "hugo@acme.example",
            "firstName": "Hugo",
            "lastName": "Help",
            "userId": 9001,
            "userIdIncludingInactive": 9001,
            "type": "PERSON",
            "teams": [{"id": "77", "name": "service", "primary": True}],
            "createdAt": born,
            "updatedAt": born,
            "archived": False,
        }
    )
    return world


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    workdir: Path = tmp_path_factory.mktemp("audit-timing")
    clock = ManualClock(LEAD_IN)
    options = SandboxOptions(
        seed=13, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options, clock=clock, world=_world()) as sandbox:
        info = sandbox.info

        def zoho() -> tuple[requests.Session, str]:
            """Plain requests, as Zoho's docs use; a fresh token (it lives an hour)."""
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
            return http, f"{info.zoho.api_domain}/crm/v2"

        owner = {"id": "4150868000000225013"}
        http, base = zoho()
        lead = {
            "Last_Name": "Prospect",
            "First_Name": "Pia",
            "Company": "Pia SL",
            "Email": "pia@pia.example",
            "Phone": "+34915550001",
            "Designation": "CEO",
            "Lead_Source": "Web Download",
            "Owner": owner,
        }
        made = http.post(f"{base}/Leads", json={"data": [lead]}, timeout=30).json()
        lead_id = made["data"][0]["details"]["id"]
        clock.set(LEAD_IN + timedelta(hours=72))  # called three days later
        http, base = zoho()
        call = {
            "Subject": "First call",
            "Call_Type": "Outbound",
            "Call_Start_Time": clock.now().isoformat(),
            "Who_Id": {"id": lead_id},
            "Owner": owner,
        }
        answer = http.post(f"{base}/Calls", json={"data": [call]}, timeout=30).json()
        assert answer["data"][0]["status"] == "success", answer

        clock.set(TICKET_OPENED)
        hubspot = HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        )
        tickets = hubspot.crm.tickets.basic_api
        ticket = tickets.create(
            SimplePublicObjectInputForCreate(
                properties={
                    "subject": "Broken widget",
                    "hs_pipeline": "0",
                    "hs_pipeline_stage": "1",
                    "hubspot_owner_id": "501",
                }
            )
        )
        clock.set(TICKET_OPENED + timedelta(hours=24))  # closed the next day
        tickets.update(ticket.id, SimplePublicObjectInput(properties={"hs_pipeline_stage": "4"}))
        clock.set(AS_OF)

        store = f"sqlite:///{workdir / 'store.sqlite'}"
        config = load_config(write_config(sandbox, workdir, store, sources=("hubspot", "zoho")))
        engine = open_store(store)
        for source in config.sources:
            connector = build_connector(source)
            try:
                report = sync_source(engine, source, connector, SyncOptions(), clock.now)
                assert report.status == "succeeded", report.error
            finally:
                connector.close()
    kinds = {"hubspot": "hubspot", "zoho": "zoho"}
    result = run_audit(engine, AuditConfig(), AS_OF, kinds=kinds, identities=None, persist=False)
    engine.dispose()
    return result


def test_a_zoho_lead_called_72_hours_later_is_a_slow_response(audited: AuditResult) -> None:
    slow = [
        (f.source, f.object, f.employee, f.message)
        for f in audited.findings
        if f.rule == "slow_lead_response"
    ]
    # lead in 10-01 09:00, call 10-04 09:00: 72 h against the 24 h SLA
    assert slow == [
        ("zoho", "Leads", "zoho:4150868000000225013", "first touch after 72 h (SLA 24 h)")
    ]
    zoe = next(s for s in audited.scores if s.subject == "zoho:4150868000000225013")
    parts = {c.name: (c.numerator, c.denominator) for c in zoe.components}
    assert parts["responsiveness"] == (0, 1)


def test_a_ticket_closed_after_24_hours_is_not_aged_to_the_audit_date(
    audited: AuditResult,
) -> None:
    assert [f for f in audited.findings if f.rule == "case_over_sla"] == []
    hugo = next(s for s in audited.scores if s.subject == "hubspot:501")
    parts = {c.name: (c.numerator, c.denominator) for c in hugo.components}
    # closed in the window within the 120 h SLA (24 h), not reopened
    assert parts["responsiveness"] == (1, 1)
