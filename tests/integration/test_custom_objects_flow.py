"""A custom object mapped in YAML flows from each sandbox CRM to the store and the journey.

Per CRM: the store visits (Salesforce ``Store_Visit__c``, the HubSpot custom object, the
Zoho custom module, the Dataverse custom table ``new_storevisit``, the SugarCRM Module
Builder module ``cstm_StoreVisits``, the Oracle custom object ``StoreVisit_c``) are
mapped to activities with channel ``store``; ``crmsync sync`` stores one activity per
visit of the ground truth, linked to the visitor's contact, and counted as store
touches by ``crmsync report channels``; an edit and a delete in the CRM reach the store
on the next (incremental) run without touching the standard activities; and ``crmsync
journey`` shows the visit on the customer's timeline.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from connectors.core.custom import CustomObjectMapping
from sandbox import ManualClock, Sandbox
from sandbox.dynamics.schema import DELETED_VERSION, VERSION_SEQUENCE
from sandbox.hubspot.schema_custom import STORE_VISITS
from sandbox.store import Table
from sandbox.world import World
from sync.cli import app
from sync.store.bookkeeping import QuarantineRow
from sync.store.records import ActivityRow
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, postgres_schema, postgres_url, write_config

MAPPINGS: dict[str, dict[str, Any]] = {
    "salesforce": {
        "object": "Store_Visit__c",
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "fields": {"occurred_at": "Visit_Date__c", "subject": "Name"},
        "channel": {"value": "store"},
        "links": {"person": "Contact__c", "account": "Account__c", "owner": "OwnerId"},
    },
    "hubspot": {
        "object": STORE_VISITS,
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "fields": {"occurred_at": "visit_date", "subject": "visit_name"},
        "channel": {
            "field": "visit_type",
            "map": {"walk_in": "store", "appointment": "store", "pickup": "store"},
        },
        "links": {
            "person": "associations.contacts",
            "account": "associations.companies",
            "owner": "hubspot_owner_id",
        },
    },
    "zoho": {
        "object": "Store_Visits",
        "kind": "activity",
        "activity_type": "meeting",
        "fields": {"occurred_at": "Visited_At", "subject": "Name"},
        "channel": {"value": "store"},
        "links": {"person": "Customer", "account": "Account", "owner": "Owner"},
    },
    "dynamics": {
        "object": "new_storevisit",
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "fields": {"occurred_at": "new_visitedon", "subject": "new_name"},
        "channel": {"field": "new_visittype", "map": {"walk-in": "store"}, "default": "store"},
        "links": {"person": "new_customerid", "account": "new_accountid", "owner": "ownerid"},
    },
    "sugarcrm": {
        "object": "cstm_StoreVisits",
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "fields": {"occurred_at": "visit_date", "subject": "name"},
        "channel": {"value": "store"},
        "links": {"person": "contact_id_c", "account": "account_id_c", "owner": "assigned_user_id"},
    },
    "oracle": {
        "object": "StoreVisit_c",
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "fields": {"occurred_at": "VisitDate_c", "subject": "RecordName"},
        "channel": {"value": "store"},
        "links": {"person": "Contact_Id_c", "account": "Account_Id_c", "owner": "Owner_Id_c"},
    },
}
OBJECTS = {
    "salesforce": "Store_Visit__c",
    "hubspot": STORE_VISITS,
    "zoho": "Store_Visits",
    "dynamics": "new_storevisit",
    "sugarcrm": "cstm_StoreVisits",
    "oracle": "StoreVisit_c",
}
SUBJECTS = {
    "salesforce": "Name",
    "hubspot": "visit_name",
    "zoho": "Name",
    "dynamics": "new_name",
    "sugarcrm": "name",
    "oracle": "RecordName",
}
CRMS = list(OBJECTS)


def _config(sandbox: Sandbox, tmp_path: Path, crm: str, url: str | None = None) -> Path:
    url = url or f"sqlite:///{tmp_path / 'store.sqlite'}"
    path = write_config(sandbox, tmp_path, url, (crm,))
    data = yaml.safe_load(path.read_text())
    data["sources"][0]["custom_objects"] = [MAPPINGS[crm]]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout) if args[0] != "reconcile" else None


def _visits(url: str, crm: str) -> dict[str, Any]:
    table = ActivityRow.__table__  # type: ignore[attr-defined]
    with opened(url) as engine, engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.source == crm)).all()
    return {r.remote_id: r for r in rows}


def _advance(sandbox: Sandbox, seconds: float) -> None:
    assert isinstance(sandbox.clock, ManualClock)
    sandbox.clock.advance(seconds)


def _delete(world: World, crm: str, table: Table, rid: str, when: datetime) -> None:
    """Delete a visit as the CRM does: Salesforce's ``IsDeleted``, Sugar's ``deleted``
    flag stamped with ``date_modified``, Dataverse's rowversion of the delete."""
    if crm == "salesforce":
        table.update(rid, {"IsDeleted": True}, when)
    if crm == "sugarcrm":
        table.update(rid, {}, when)
    if crm == "dynamics":
        world.sequences[VERSION_SEQUENCE] += 1
        table.rows[rid][DELETED_VERSION] = world.sequences[VERSION_SEQUENCE]
    table.soft_delete(rid, when)


def _edit_and_delete(sandbox: Sandbox, crm: str, edit: str, gone: str) -> None:
    """Rename one visit and delete another in the CRM, a minute later."""
    world, clock = sandbox.world, sandbox.clock
    assert world is not None
    _advance(sandbox, 60)
    when = clock.now()
    with world.lock:
        table = getattr(world, crm)[OBJECTS[crm]]
        changes: dict[str, Any] = {SUBJECTS[crm]: "Renamed visit"}
        if crm == "dynamics":  # a new rowversion, which change tracking follows
            world.sequences[VERSION_SEQUENCE] += 1
            changes["versionnumber"] = world.sequences[VERSION_SEQUENCE]
        table.update(edit, changes, when)
        _delete(world, crm, table, gone, when)
    _advance(sandbox, 20 * 60)


def _truth(sandbox: Sandbox, crm: str) -> list[dict[str, Any]]:
    """The visits of ``crm`` in the ground truth (the DACH and Benelux parts keep their own
    file)."""
    assert sandbox.world is not None
    files = sandbox.world.truth.files
    rows = [*files["store_visits"], *files.get(f"{crm}_store_visits", [])]
    return [r for r in rows if r["crm"] == crm]


@pytest.mark.parametrize("crm", CRMS)
def test_mapped_store_visits_sync_and_show_in_the_journey(tmp_path: Path, crm: str) -> None:
    _flow(tmp_path, crm, f"sqlite:///{tmp_path / 'store.sqlite'}")


def test_the_same_on_postgresql(tmp_path: Path) -> None:
    """Sync, edit and delete on a PostgreSQL store (the engine directly: the CLI's store
    outlives an in-process command)."""
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    crm, prefix = "hubspot", f"{STORE_VISITS}/"
    with postgres_schema(base) as url, tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm, url)
        assert sandbox.world is not None
        truth = [r for r in sandbox.world.truth.files["store_visits"] if r["crm"] == crm]
        run_sync(config, crm)
        _edit_and_delete(sandbox, crm, truth[0]["id"], truth[1]["id"])
        (visits,) = [s for s in run_sync(config, crm) if s.stream == "store_visits"]
        after = _visits(url, crm)
    assert (visits.counts.updated, visits.counts.deleted) == (1, 1)
    assert sorted(k for k in after if k.startswith(prefix)) == sorted(
        prefix + v["id"] for v in truth
    )
    assert after[prefix + truth[0]["id"]].subject == "Renamed visit"
    assert after[prefix + truth[1]["id"]].is_deleted


def _flow(tmp_path: Path, crm: str, url: str) -> None:
    with tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm, url)
        assert sandbox.world is not None
        truth = _truth(sandbox, crm)
        report = _cli("sync", "--config", str(config))
        streams = {s["stream"]: s for s in report[0]["streams"]}
        assert streams["store_visits"]["status"] == "succeeded"
        assert streams["store_visits"]["inserted"] == len(truth) > 0

        prefix = f"{OBJECTS[crm]}/"
        stored = {k: r for k, r in _visits(url, crm).items() if k.startswith(prefix)}
        standard = {k for k, r in _visits(url, crm).items() if not k.startswith(prefix)}
        assert sorted(stored) == sorted(prefix + v["id"] for v in truth)
        for visit in truth:
            row = stored[prefix + visit["id"]]
            assert (row.channel, row.activity_type) == ("store", "meeting")
            assert (row.contact_id, row.account_id) == (visit["contact"], visit["account"])
            assert row.occurred_at.isoformat()[:19] == visit["at"][:19]
        # the channel report counts each visit as a touch on the store channel
        channels = _cli("report", "channels", "--config", str(config), "--as-of", "2026-10-31")
        store = [r for r in channels["rows"] if r[:2] == ["store", crm]]
        assert [r[2] for r in store] == [len(truth)]

        first, second = truth[0]["id"], truth[1]["id"]
        _edit_and_delete(sandbox, crm, first, second)
        _cli("sync", "--config", str(config))
        after = _visits(url, crm)
        assert after[prefix + first].subject == "Renamed visit"
        assert after[prefix + second].is_deleted
        live = {k for k, r in after.items() if k.startswith(prefix) and not r.is_deleted}
        assert len(live) == len(truth) - 1
        # the standard activities are neither deleted nor duplicated by the mapped stream
        assert {k for k, r in after.items() if not k.startswith(prefix)} == standard
        assert not any(r.is_deleted for k, r in after.items() if k in standard)

        _cli("reconcile", "run", "--config", str(config))
        touches = _cli("journey", f"{crm}:contacts:{truth[0]['contact']}", "--config", str(config))
        visits = [t for t in touches["touches"] if t["channel"] == "store"]
        assert [t["summary"] for t in visits if "Renamed" in t["summary"]]


def _invoke(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(app, [*args, "--json"], prog_name="crmsync")
    return result.exit_code, orjson.loads(result.stdout)


@pytest.mark.parametrize("crm", CRMS)
def test_the_delete_guard_counts_a_mapped_object_on_its_own(tmp_path: Path, crm: str) -> None:
    """Deleting every visit is a mass delete, though visits are few among the activities."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm)
        world, clock = sandbox.world, sandbox.clock
        assert world is not None
        _cli("sync", "--config", str(config))
        table = getattr(world, crm)[OBJECTS[crm]]
        _advance(sandbox, 60)
        with world.lock:
            for rid in [r[table.schema.id_field] for r in table.live()]:
                _delete(world, crm, table, rid, clock.now())
        _advance(sandbox, 20 * 60)
        code, report = _invoke("sync", "--config", str(config))
        streams = {s["stream"]: s for s in report[0]["streams"]}
        refused = _visits(url, crm)
        code_forced, _ = _invoke("sync", "--config", str(config), "--force")
    prefix = f"{OBJECTS[crm]}/"
    assert code == 1
    assert streams["store_visits"]["status"] == "partial"
    assert streams["store_visits"]["error"].startswith("refused to mark")
    assert streams["activities"]["status"] == "succeeded"
    assert not any(r.is_deleted for k, r in refused.items() if k.startswith(prefix))
    assert code_forced == 0
    forced = _visits(url, crm)
    assert all(r.is_deleted for k, r in forced.items() if k.startswith(prefix))
    assert not any(r.is_deleted for k, r in forced.items() if not k.startswith(prefix))


@pytest.mark.parametrize("crm", CRMS)
def test_rows_that_do_not_fit_the_mapping_are_quarantined(tmp_path: Path, crm: str) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store_field = {
        "salesforce": "Store__c",
        "hubspot": "store",
        "zoho": "Store",
        "dynamics": "new_store",
        "sugarcrm": "store",
        "oracle": "Store_c",
    }[crm]
    with tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm)
        data = yaml.safe_load(config.read_text())
        # a store's name is no amount: every visit is quarantined, none is stored
        data["sources"][0]["custom_objects"] = [
            {"object": OBJECTS[crm], "kind": "deal", "fields": {"amount": store_field}}
        ]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        visits = _truth(sandbox, crm)
        report = _cli("sync", "--config", str(config))
    streams = {s["stream"]: s for s in report[0]["streams"]}
    stream = CustomObjectMapping(object=OBJECTS[crm], kind="deal").stream_name
    assert (streams[stream]["status"], streams[stream]["quarantined"]) == ("succeeded", len(visits))
    assert streams[stream]["inserted"] == 0
    quarantine = QuarantineRow.__table__  # type: ignore[attr-defined]
    with opened(url) as engine, engine.connect() as conn:
        reasons = conn.execute(select(quarantine.c.reason)).scalars().all()
    assert len(reasons) == len(visits)
    assert all("is not a number" in reason for reason in reasons)


# calls of an incremental run with nothing changed: Salesforce one query; HubSpot one
# search, the association reads and the archived list; Zoho one list and the delete feed;
# Dynamics the delta link (the run's metadata $batch is the run's, not the stream's);
# SugarCRM one filter call; Oracle one keyset query and the id list (the sandbox compares
# ids every run: no feed)
INCREMENTAL_CALLS = {
    "salesforce": 1,
    "hubspot": 6,
    "zoho": 2,
    "dynamics": 1,
    "sugarcrm": 1,
    "oracle": 2,
}


@pytest.mark.parametrize("crm", CRMS)
def test_an_incremental_run_spends_no_call_on_metadata(tmp_path: Path, crm: str) -> None:
    with tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm)
        first = [s for s in run_sync(config, crm) if s.stream == "store_visits"]
        _advance(sandbox, 600)
        second = [s for s in run_sync(config, crm) if s.stream == "store_visits"]
    assert first[0].counts.inserted > 0
    assert second[0].counts.inserted == second[0].counts.deleted == 0
    assert second[0].api_calls <= INCREMENTAL_CALLS[crm]


def test_a_purged_visit_is_found_by_the_id_check(tmp_path: Path) -> None:
    """A record purged for good leaves no trace an incremental read sees (HubSpot's GDPR
    delete): the id check (``--check-deletes``) compares the mapped stream's own ids."""
    crm, prefix = "hubspot", f"{STORE_VISITS}/"
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = _config(sandbox, tmp_path, crm)
        assert sandbox.world is not None
        _cli("sync", "--config", str(config))
        gone = next(iter(sandbox.world.hubspot[STORE_VISITS].rows))
        _advance(sandbox, 60)
        with sandbox.world.lock:
            sandbox.world.hubspot[STORE_VISITS].purge(gone, sandbox.clock.now())
        _advance(sandbox, 600)
        report = _cli("sync", "--config", str(config), "--check-deletes")
    streams = {s["stream"]: s for s in report[0]["streams"]}
    assert (streams["store_visits"]["deleted_missing"], streams["activities"]["deleted"]) == (1, 0)
    rows = _visits(url, crm)
    assert [k for k, r in rows.items() if r.is_deleted] == [prefix + gone]
