"""``crmsync demo --crm salesforce --crm sugarcrm``: the Benelux distributor synced,
reconciled, credited and checked against its ground truth (tiny world, seed 7: the seed
whose distributor has won opportunities and converted leads, the two things its ground
truth has to describe for the checks to compare like for like)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.steps import STEP_NAMES
from sync.demo import run_demo
from sync.reconcile.persist import crosswalk
from sync.store import open_store
from sync.store.record_key import RecordKey


def _rows(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_the_demo_with_sugarcrm_meets_the_ground_truth(tmp_path: Path) -> None:
    result = run_demo(
        tmp_path,
        seed=7,
        scale="tiny",
        anchor=DEFAULT_ANCHOR,
        steps=STEP_NAMES,
        sources=("salesforce", "sugarcrm"),
    )
    assert result.ok, [t for t in result.truth if not t.ok]
    sugar = {
        c.stream: (c.in_store, c.ground_truth) for c in result.checks if c.source == "sugarcrm"
    }
    assert sugar == {
        "accounts": (8, 8),
        "activities": (45, 45),
        "cases": (6, 6),
        "contacts": (20, 20),
        "deal_contacts": (9, 9),
        "deals": (12, 12),
        "leads": (15, 15),
        "orders": (7, 7),
        "store_visits": (8, 8),
        "users": (5, 5),
    }
    floors = "precision >= 0.99, recall >= 0.97"
    perfect = "precision 1.0000, recall 1.0000"
    assert [(t.name, t.expected, t.found) for t in result.truth] == [
        ("person identities (pairwise)", f"46 true identities; {floors}", perfect),
        ("organisation identities (pairwise)", f"17 true identities; {floors}", perfect),
        ("employee identities (pairwise)", f"13 true identities; {floors}", perfect),
        (
            "credited revenue = won revenue",
            "CHF 166,310.23, EUR 2,576.60, USD 1,049,466.49",
            "CHF 166,310.23, EUR 2,576.60, USD 1,049,466.49",
        ),
    ]

    truth = tmp_path / "sandbox" / "ground_truth"
    # Four of the twelve opportunities are won, in the instance's base currency (US
    # dollars): the revenue check's USD total holds them.
    deals = _rows(truth / "sugarcrm_deals.jsonl")
    won = [Decimal(str(d["amount"])) for d in deals if d["won"]]
    assert (len(deals), len(won), sum(won)) == (12, 4, Decimal("814000.00"))
    assert {d["currency"] for d in deals} == {"USD"}
    # Each of the five converted leads is the person of its contact, and reconciliation
    # put the two records together.
    people = {
        (r["object"], r["id"]): r["identity"] for r in _rows(truth / "sugarcrm_identities.jsonl")
    }
    engine = open_store(result.store_url)
    try:
        with engine.connect() as connection:
            found = crosswalk(connection, "person")
            converted = connection.exec_driver_sql(
                "SELECT remote_id, converted_contact_id FROM leads "
                "WHERE source = 'sugarcrm' AND converted"
            ).all()
    finally:
        engine.dispose()
    assert len(converted) == 5
    for lead, contact in converted:
        assert people[("Leads", lead)] == people[("Contacts", contact)]
        lead_key = RecordKey.text("sugarcrm", "leads", lead)
        assert found[lead_key] == found[RecordKey.text("sugarcrm", "contacts", contact)]
