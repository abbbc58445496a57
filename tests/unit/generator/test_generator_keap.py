"""The web shop in Keap: its records, employees shared with the other CRMs, customers who
are also Salesforce contacts, and churn that reaches it only when named."""

from __future__ import annotations

from collections import Counter

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.generator import apply_churn, generate
from sandbox.world import World


def test_the_tiny_shop_has_its_records_and_shared_people(tiny_world: World) -> None:
    keap = tiny_world.keap
    assert {name: len(t) for name, t in keap.items()} == {
        "users": 5,
        "companies": 6,
        "contacts": 42,
        "opportunities": 6,
        "notes": 10,
        "tasks": 12,
        "appointments": 16,  # 6 product demos and 10 store visits (a quarter of the contacts)
        "orders": 33,
    }
    files = tiny_world.truth.files
    employees = {e["employee_id"]: e for e in files["employees"]}
    staff = [r["employee"] for r in files["keap_employees"]]
    shared = [e for e in staff if e in employees]
    assert len(staff) == 5 and len(shared) == 3  # two marketing, one call-centre agent
    assert sorted(employees[e]["team"] for e in shared) == ["call_centre", "marketing", "marketing"]
    sf_people = {
        r["identity"]
        for r in files["identities"]
        if r["crm"] == "salesforce" and r["object"] == "Contact"
    }
    identities = [r["identity"] for r in files["keap_identities"] if r["object"] == "contacts"]
    assert len(identities) == 42
    assert sum(i in sf_people for i in identities) == 2  # customers who buy in both


def test_churn_reaches_keap_only_when_named_and_deletes_for_good() -> None:
    world = generate(5, "tiny", DEFAULT_ANCHOR)
    before = {name: dict(t.rows) for name, t in world.keap.items()}
    apply_churn(world, ManualClock(DEFAULT_ANCHOR), 40, seed=3)
    assert {name: dict(t.rows) for name, t in world.keap.items()} == before
    report = apply_churn(world, ManualClock(DEFAULT_ANCHOR), 40, seed=3, crms=("keap",))
    ops = Counter(op for crm, _, _, op in report.changes if crm == "keap")
    assert sum(ops.values()) == 40 and set(ops) == {"update", "create", "delete"}
    deleted = [(obj, rid) for crm, obj, rid, op in report.changes if op == "delete"]
    assert all(rid in world.keap[obj].purged for obj, rid in deleted)
    assert all(world.keap[obj].get(rid, include_deleted=True) is None for obj, rid in deleted)
