"""save_world / load_world round-trip, and the ground-truth files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
from generator_helpers import snapshot

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.generator import apply_churn, generate, write_ground_truth
from sandbox.persist import load_world, save_world
from sandbox.schema import Field


def test_round_trip_after_churn_and_custom_fields(tmp_path: Path) -> None:
    world = generate(4, "small", DEFAULT_ANCHOR)
    apply_churn(world, ManualClock(DEFAULT_ANCHOR), 200, seed=3, burst=10, late_commits=3)
    schema = world.salesforce["Contact"].schema
    schema.add_field(Field("Incentive__c", "currency", label="Incentive", custom=True))
    schema.add_field(Field("Reviewed__c", "date", custom=True))
    contact = next(iter(world.salesforce["Contact"].rows.values()))
    contact["Incentive__c"] = 1234.5
    contact["Reviewed__c"] = date(2026, 10, 1)
    world.hubspot["deals"].schema.add_field(Field("payout_at", "datetime", custom=True))
    deal = next(iter(world.hubspot["deals"].rows.values()))
    deal["payout_at"] = datetime(2026, 10, 2, 3, 4, 5, 678000, tzinfo=UTC)

    save_world(world, tmp_path)
    loaded = load_world(tmp_path)

    assert snapshot(loaded) == snapshot(world)
    assert loaded.salesforce["Contact"].schema.field("Incentive__c") == Field(
        "Incentive__c", "currency", label="Incentive", custom=True
    )
    again = loaded.salesforce["Contact"].rows[contact["Id"]]
    assert again["Reviewed__c"] == date(2026, 10, 1)
    assert loaded.hubspot["deals"].rows[deal["id"]]["payout_at"] == deal["payout_at"]
    assert {t.version for t in loaded.salesforce.values()} == {
        t.version for t in world.salesforce.values()
    }
    # Minting continues where the saved world stopped.
    assert loaded.mint("zoho", "Leads") == world.mint("zoho", "Leads")


def test_saving_twice_drops_stale_truth_files(tmp_path: Path) -> None:
    world = generate(4, "tiny", DEFAULT_ANCHOR)
    apply_churn(world, ManualClock(DEFAULT_ANCHOR), 5, seed=1)
    save_world(world, tmp_path)
    fresh = generate(4, "tiny", DEFAULT_ANCHOR)
    save_world(fresh, tmp_path)
    assert "churn" not in load_world(tmp_path).truth.files


def test_write_ground_truth(tmp_path: Path) -> None:
    world = generate(9, "tiny", DEFAULT_ANCHOR)
    report = apply_churn(world, ManualClock(DEFAULT_ANCHOR + timedelta(days=1)), 30, seed=2)
    write_ground_truth(world, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{n}.jsonl" for n in world.truth.files] + ["summary.json"])
    lines = (tmp_path / "churn.jsonl").read_bytes().splitlines()
    assert [orjson.loads(line)["id"] for line in lines] == [c[2] for c in report.changes]
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert summary["seed"] == 9 and summary["scale"] == "tiny"
    for crm in ("salesforce", "hubspot", "zoho"):
        for name, table in getattr(world, crm).items():
            counts = summary["counts"][crm][name]
            assert counts == {
                "live": len(table),
                "deleted": len(table.deleted_at),
                "purged": len(table.purged),
            }
    deleted = sum(
        c["deleted"] + c["purged"] for crm in summary["counts"].values() for c in crm.values()
    )
    assert deleted == report.total("delete", "merge") + sum(
        1 for o in world.hubspot_owners if o["archived"]
    )
