"""The ``history`` stream of each CRM against the sandbox: a full sync reads the whole
history the sandbox holds; a change written through the CRM's API, at the sandbox clock,
is recorded and an incremental sync reads exactly that change; churn's changes are
recorded and read the same way; a restarted sandbox serves the same history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.deals import SimplePublicObjectInput
from simple_salesforce import Salesforce
from sqlalchemy import Engine, text
from sync_support import write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.world import World
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store

CRMS = ("salesforce", "hubspot", "zoho")
FIELD_HISTORY = ("OpportunityFieldHistory", "LeadHistory", "CaseHistory")


def _keys(world: World, crm: str, live_only: bool = True) -> set[tuple[Any, ...]]:
    """The history rows the connector should store from the sandbox's world (of records
    still live, and HubSpot's archived ones: their history is still served; Salesforce's
    history rows outlive their records). Zoho: deals only."""
    if crm == "salesforce":
        # an owner change comes as an id row and a names row: the connector keeps the ids
        return {
            (name, rid)
            for name in FIELD_HISTORY
            for rid, row in world.salesforce[name].rows.items()
            if row["Field"] != "Owner" or str(row["NewValue"]).startswith("005")
        }
    tracked = {
        "deals": {"dealstage", "amount", "closedate", "hubspot_owner_id", "hs_next_step"},
        "tickets": {"hs_pipeline_stage", "hubspot_owner_id"},
        "Deals": {"Stage", "Amount", "Closing_Date", "Owner", "Next_Step"},
    }
    keys: set[tuple[Any, ...]] = set()
    for (c, obj, rid), entries in world.history.entries.items():
        if c != crm or obj not in tracked:
            continue
        record = getattr(world, crm)[obj].get(rid, include_deleted=crm == "hubspot")
        if live_only and record is None:
            continue
        for entry in entries:
            if crm == "zoho" and entry["action"] == "added":
                keys.add((entry["id"], "created"))
                continue
            for name in entry["changes"]:
                if name in tracked[obj]:
                    keys.add(
                        (obj, rid, name, entry["at"]) if crm == "hubspot" else (entry["id"], name)
                    )
    return keys


class Synced:
    def __init__(self, sandbox: Sandbox, workdir: Path, clock: ManualClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        store = f"sqlite:///{workdir / 'store.sqlite'}"
        self.config = load_config(write_config(sandbox, workdir, store))
        self.engine: Engine = open_store(store)

    def sync(self, crm: str) -> int:
        """Sync one source; the history rows its history stream fetched."""
        source = next(s for s in self.config.sources if s.name == crm)
        connector = build_connector(source)
        try:
            report = sync_source(self.engine, source, connector, SyncOptions(), self.clock.now)
        finally:
            connector.close()
        assert report.status == "succeeded", report.error
        return next(s.counts.fetched for s in report.streams if s.stream == "history")

    def stored(self, crm: str) -> int:
        with self.engine.connect() as conn:
            query = text("SELECT COUNT(*) FROM field_changes WHERE source = :s")
            return int(conn.execute(query, {"s": crm}).scalar_one())


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    workdir = tmp_path_factory.mktemp("history-sync")
    clock = ManualClock(DEFAULT_ANCHOR)
    # the business company alone, only for exact counts: the expected rows are read from
    # the world's recorded history, and the consumer line's records are generated without
    # seeded history (the emulator serves their values as creation versions, not counted)
    options = SandboxOptions(
        seed=3, scale="tiny", state_dir=workdir / "sandbox", anchor=DEFAULT_ANCHOR, b2c=False
    )
    with Sandbox(options, clock=clock) as sandbox:
        yield Synced(sandbox, workdir, clock)


def _write_amount(synced: Synced, crm: str) -> dict[str, Any]:
    """Raise one open deal's amount through the CRM's API; what the history must hold."""
    info = synced.sandbox.info
    world = synced.sandbox.world
    assert world is not None
    if crm == "salesforce":
        deal = next(r for r in world.salesforce["Opportunity"].live() if not r["IsClosed"])
        token = requests.post(
            info.salesforce.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": info.salesforce.client_id,
                "client_secret": info.salesforce.client_secret,
            },
            verify=str(info.ca_bundle),
            timeout=30,
        ).json()["access_token"]
        sf = Salesforce(
            instance_url=info.salesforce.instance_url,
            session_id=token,
            session=pinned_session(info.ca_bundle),
            version="59.0",
        )
        sf.Opportunity.update(deal["Id"], {"Amount": 98765.5})
        return {"record_id": deal["Id"], "field": "amount", "new_value": "98765.5"}
    if crm == "hubspot":
        deal = next(r for r in world.hubspot["deals"].live() if r["dealstage"] != "closedwon")
        client = HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        )
        client.crm.deals.basic_api.update(
            deal["id"], SimplePublicObjectInput(properties={"amount": "98765.5"})
        )
        return {"record_id": deal["id"], "field": "amount", "new_value": "98765.5"}
    deal = next(iter(world.zoho["Deals"].live()))
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
    answer = http.put(
        f"{info.zoho.api_domain}/crm/v8/Deals",
        json={"data": [{"id": deal["id"], "Amount": 98765.5}]},
        timeout=30,
    ).json()
    assert answer["data"][0]["status"] == "success", answer
    return {"record_id": deal["id"], "field": "amount", "new_value": "98765.5"}


@pytest.mark.parametrize("crm", CRMS)
def test_full_then_incremental_history(synced: Synced, crm: str) -> None:
    world = synced.sandbox.world
    assert world is not None
    with world.lock:
        expected = len(_keys(world, crm))
    assert expected > 0
    assert synced.sync(crm) == expected
    assert synced.stored(crm) == expected
    assert synced.sync(crm) == 0  # nothing changed: nothing read

    synced.clock.advance(3600)
    wrote = _write_amount(synced, crm)
    written_at = synced.clock.now()
    synced.clock.advance(60)
    assert synced.sync(crm) == 1
    with synced.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT field, new_value, changed_at FROM field_changes WHERE source = :s "
                "AND record_id = :r AND field = 'amount' ORDER BY changed_at DESC LIMIT 1"
            ),
            {"s": crm, "r": wrote["record_id"]},
        ).one()
    assert (row.field, row.new_value) == (wrote["field"], wrote["new_value"])
    changed_at = datetime.fromisoformat(str(row.changed_at)).replace(tzinfo=UTC)
    assert abs(changed_at - written_at) < timedelta(seconds=1)


@pytest.mark.parametrize("crm", CRMS)
def test_churn_is_recorded_and_read(synced: Synced, crm: str) -> None:
    synced.sync(crm)
    world = synced.sandbox.world
    assert world is not None
    with world.lock:
        before = _keys(world, crm, live_only=False)
    synced.clock.advance(3600)
    synced.sandbox.churn(60, seed=5, crms=(crm,))
    synced.clock.advance(3600)
    with world.lock:
        new = _keys(world, crm) - before
    assert new  # churn moved deal amounts
    assert synced.sync(crm) == len(new)


def test_a_restarted_sandbox_serves_the_same_history(tmp_path: Path) -> None:
    options = SandboxOptions(seed=3, scale="tiny", state_dir=tmp_path, anchor=DEFAULT_ANCHOR)
    clock = ManualClock(DEFAULT_ANCHOR + timedelta(days=1))
    with Sandbox(options, clock=clock) as first:
        assert first.world is not None
        first.churn(40, seed=9)
        entries = dict(first.world.history.entries)
        rows = {n: dict(first.world.salesforce[n].rows) for n in FIELD_HISTORY}
        first.save()
    with Sandbox(options, clock=ManualClock(datetime(2026, 11, 2, tzinfo=UTC))) as second:
        assert second.world is not None
        assert dict(second.world.history.entries) == entries
        assert {n: dict(second.world.salesforce[n].rows) for n in FIELD_HISTORY} == rows
