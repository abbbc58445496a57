"""Store visits keep changing between syncs: ``sandbox churn --store-visits`` creates,
edits and deletes them in the custom objects (Dynamics 365's and SugarCRM's when named),
and an incremental sync of the mapped stream brings the store to the CRM's state: every
live visit, every delete, every edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from sandbox import ManualClock
from sandbox.generator.custom_table_churn import CUSTOM_VISIT_OBJECTS
from sandbox.generator.store_visit_churn import VISIT_OBJECTS
from sync.store.records import ActivityRow
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config
from tests.integration.test_custom_objects_flow import MAPPINGS

_AMOUNT = {
    "salesforce": "Amount_Spent__c",
    "hubspot": "amount_spent",
    "zoho": "Amount_Spent",
    "dynamics": "new_amountspent",
    "sugarcrm": "amount_spent",
}
OBJECTS = VISIT_OBJECTS | CUSTOM_VISIT_OBJECTS


def _amount(crm: str, raw: dict[str, Any]) -> str:
    value = raw.get("properties", raw)[_AMOUNT[crm]] if crm == "hubspot" else raw[_AMOUNT[crm]]
    return f"{float(value):.2f}"


@pytest.mark.parametrize("crm", list(OBJECTS))
def test_churned_visits_reach_the_store_on_the_next_incremental_run(
    tmp_path: Path, crm: str
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    obj = OBJECTS[crm]
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, (crm,))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [MAPPINGS[crm]]
        # a tiny world has three or four visits per CRM: any delete is a "mass" delete
        data["sources"][0]["delete_guard_share"] = 1.0
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        run_sync(config, crm)
        assert isinstance(sandbox.clock, ManualClock)
        sandbox.clock.advance(60)
        # the DACH and Benelux parts are churned when named
        crms = (crm,) if crm in CUSTOM_VISIT_OBJECTS else None
        report = sandbox.churn(0, seed=12, store_visits=60, crms=crms)
        sandbox.clock.advance(20 * 60)
        ops = {op for c, o, _, op in report.changes if (c, o) == (crm, obj)}
        assert ops == {"create", "update", "delete"}, ops  # seed 12: 60 changes reach all three
        (visits,) = [s for s in run_sync(config, crm) if s.stream == "store_visits"]
        world = sandbox.world
        assert world is not None
        table = getattr(world, crm)[obj]
        live = {rid for rid in table.rows if rid not in table.deleted_at}
        gone = set(table.deleted_at)
        amounts = {rid: f"{float(table.rows[rid][_AMOUNT[crm]]):.2f}" for rid in live}
    created = {r for c, o, r, op in report.changes if (c, o, op) == (crm, obj, "create")}
    # a visit created and deleted between the runs may arrive as a deleted row (Salesforce's
    # queryAll, Dataverse's change tracking, Sugar's show_deleted) or not at all (a HubSpot
    # or Zoho list of live records)
    assert created and visits.counts.inserted >= len(created - gone)
    prefix = f"{obj}/"
    activities = ActivityRow.__table__  # type: ignore[attr-defined]
    with opened(url) as engine, engine.connect() as conn:
        rows = conn.execute(
            select(activities).where(activities.c.remote_id.startswith(prefix))
        ).all()
    stored = {r.remote_id.removeprefix(prefix): r for r in rows}
    assert {rid for rid, r in stored.items() if not r.is_deleted} == live
    assert {rid for rid, r in stored.items() if r.is_deleted} == gone & set(stored)
    assert {rid: _amount(crm, stored[rid].raw) for rid in live} == amounts


def test_churned_oracle_visits_reach_the_store_and_deletes_the_id_check(tmp_path: Path) -> None:
    """Oracle named alone: every store-visit change goes to ``StoreVisit_c``. Fusion purges
    what it deletes and lists no deletes: the id comparison (every run in the sandbox's
    config) marks them."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    crm, obj = "oracle", "StoreVisit_c"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, (crm,))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [MAPPINGS[crm]]
        data["sources"][0]["delete_guard_share"] = 1.0
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        run_sync(config, crm)
        assert isinstance(sandbox.clock, ManualClock)
        sandbox.clock.advance(60)
        report = sandbox.churn(0, seed=12, store_visits=30, crms=(crm,))
        sandbox.clock.advance(20 * 60)
        ops = {op for c, o, _, op in report.changes if (c, o) == (crm, obj)}
        assert ops == {"create", "update", "delete"}, ops
        assert {c for c, _, _, _ in report.changes} == {crm}
        (visits,) = [s for s in run_sync(config, crm) if s.stream == "store_visits"]
        world = sandbox.world
        assert world is not None
        table = world.oracle[obj]
        live = {r["Id"] for r in table.live()}
        amounts = {r["Id"]: f"{float(r['AmountSpent_c']):.2f}" for r in table.live()}
    truth = {v["id"] for v in world.truth.files["store_visits"] if v["crm"] == crm}
    created = {r for c, o, r, op in report.changes if (c, o, op) == (crm, obj, "create")}
    deleted = {r for c, o, r, op in report.changes if (c, o, op) == (crm, obj, "delete")}
    assert created <= truth and live == truth - deleted
    assert visits.counts.inserted == len(created - deleted) > 0
    prefix = f"{obj}/"
    activities = ActivityRow.__table__  # type: ignore[attr-defined]
    with opened(url) as engine, engine.connect() as conn:
        rows = conn.execute(
            select(activities).where(activities.c.remote_id.startswith(prefix))
        ).all()
    stored = {r.remote_id.removeprefix(prefix): r for r in rows}
    assert {rid for rid, r in stored.items() if not r.is_deleted} == live
    assert {rid for rid, r in stored.items() if r.is_deleted} == deleted & set(stored)
    assert {rid: f"{float(stored[rid].raw['AmountSpent_c']):.2f}" for rid in live} == amounts
