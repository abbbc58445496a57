"""Who created a record, per CRM, on records written through the CRMs' APIs: a Zoho lead
and a HubSpot contact created by the API's user (Ada, the administrator the token acts
for) and owned by Rita, both without a phone (a required field; a source channel would not
do: HubSpot sets the original source of what its API creates). The audit blames Ada, their
creator; when Ada is listed as an integration user, it blames Rita, their owner. The
default audit date is the CRMs' clock at the last sync, not the last record change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from sqlalchemy import Engine
from sync_support import write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.world import World
from sync.audit import AuditConfig, run_audit
from sync.audit.clock import data_time
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store

CREATED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
SYNCED = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)  # the CRMs' clock at the sync
AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
ZOHO_ADA, ZOHO_RITA = "4150868000000225013", "4150868000000225031"
HS_ADA, HS_RITA = "501", "502"  # owner ids; user ids 9001 and 9002


def _world() -> World:
    world = World.empty(17, "tiny", AS_OF)
    born = datetime(2025, 1, 1, tzinfo=UTC)
    users = world.zoho["users"]
    people = ((ZOHO_ADA, "Ada", "Administrator"), (ZOHO_RITA, "Rita", "Standard"))
    for zid, first, profile in people:
        users.insert(
            {
                **{f.name: None for f in users.schema.fields},
                "id": zid,
                "first_name": first,
                "last_name": "Acme",
                "full_name": f"{first} Acme",
                "email": f"{first.lower()}@acme.example",
                "status": "active",
                "role": "Sales Rep",
                "profile": profile,
                "created_time": born,
                "Modified_Time": born,
            }
        )
    for owner_id, user_id, first in ((HS_ADA, 9001, "Ada"), (HS_RITA, 9002, "Rita")):
        world.hubspot_owners.append(
            {
                "id": owner_id,
                "email": f"{first.lower()}@acme.example",
                "firstName": first,
                "lastName": "Acme",
                "userId": user_id,
                "userIdIncludingInactive": user_id,
                "type": "PERSON",
                "teams": [{"id": "7", "name": "field_sales", "primary": True}],
                "createdAt": born,
                "updatedAt": born,
                "archived": False,
            }
        )
    return world


@dataclass
class Synced:
    engine: Engine
    zoho_lead: str
    hubspot_contact: str


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    workdir: Path = tmp_path_factory.mktemp("audit-creators")
    clock = ManualClock(CREATED)
    options = SandboxOptions(
        seed=17, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options, clock=clock, world=_world()) as sandbox:
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
        lead = {
            "Last_Name": "Prospect",
            "First_Name": "Pia",
            "Company": "Pia SL",
            "Email": "pia@pia.example",
            "Designation": "CEO",
            "Owner": {"id": ZOHO_RITA},
        }
        made = http.post(
            f"{info.zoho.api_domain}/crm/v2/Leads", json={"data": [lead]}, timeout=30
        ).json()
        zoho_lead = str(made["data"][0]["details"]["id"])
        hubspot = HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        )
        contact = hubspot.crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(
                properties={
                    "firstname": "Hana",
                    "lastname": "Prospect",
                    "email": "hana@prospect.example",
                    "jobtitle": "Owner",
                    "company": "Prospect SL",
                    "lifecyclestage": "lead",
                    "hubspot_owner_id": HS_RITA,
                }
            )
        )
        clock.set(SYNCED)  # nothing changes in the CRMs before the sync
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
    return Synced(engine, zoho_lead, str(contact.id))


def _blamed(synced: Synced, config: AuditConfig) -> list[tuple[str, str, str | None]]:
    kinds = {"hubspot": "hubspot", "zoho": "zoho"}
    result = run_audit(synced.engine, config, AS_OF, kinds=kinds, identities=None, persist=False)
    return sorted(
        (f.source, f.remote_id, f.user_id)
        for f in result.findings
        if f.rule == "missing_required_fields"
    )


def test_the_creator_answers_for_a_record_created_for_someone_else(synced: Synced) -> None:
    assert _blamed(synced, AuditConfig()) == [
        ("hubspot", synced.hubspot_contact, HS_ADA),  # hs_created_by_user_id 9001 -> owner 501
        ("zoho", synced.zoho_lead, ZOHO_ADA),  # Created_By
    ]


def test_the_owner_answers_when_the_creator_is_an_integration_user(synced: Synced) -> None:
    config = AuditConfig(
        integration_users={"hubspot": ["ada@acme.example"], "zoho": ["ada@acme.example"]}
    )
    assert _blamed(synced, config) == [
        ("hubspot", synced.hubspot_contact, HS_RITA),
        ("zoho", synced.zoho_lead, ZOHO_RITA),
    ]


def test_the_default_audit_date_is_the_crms_clock_at_the_last_sync(synced: Synced) -> None:
    # both records were last changed 10-01 09:00; the sync read the CRMs up to 10-20 09:00
    assert data_time(synced.engine) == SYNCED
