"""The ground truth agrees with the records, and the injected problems really hold."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from generator_helpers import exists

from sandbox.world import World

_IDENTIFIED = {
    ("salesforce", "Lead"): "person",
    ("salesforce", "Contact"): "person",
    ("salesforce", "Account"): "organisation",
    ("salesforce", "User"): "employee",
    ("hubspot", "contacts"): "person",
    ("hubspot", "companies"): "organisation",
    ("zoho", "Leads"): "person",
    ("zoho", "Contacts"): "person",
    ("zoho", "Accounts"): "organisation",
    ("zoho", "users"): "employee",
}
_SLOTS = {
    "lead_source",
    "qualification",
    "field_work",
    "customer_reply",
    "service_answer",
    "close",
    "other",
}
_CHANNELS = {
    "web",
    "email",
    "phone",
    "meeting",
    "event",
    "social",
    "partner",
    "store",
    "chat",
    "other",
}
_ACTIVITIES = {
    "salesforce": {"Task", "Event"},
    "hubspot": {"calls", "emails", "meetings", "notes", "tasks"},
    "zoho": {"Calls", "Tasks", "Events"},
}


def test_identities_match_records_one_to_one(world: World) -> None:
    rows = world.truth.files["identities"]
    keyed = Counter((r["crm"], r["object"], r["id"]) for r in rows)
    assert max(keyed.values()) == 1
    for r in rows:
        assert exists(world, r["crm"], r["object"], r["id"]), r
        assert _IDENTIFIED.get((r["crm"], r["object"]), "employee") == r["kind"]
        assert r["identity"][0] == {"person": "P", "organisation": "O", "employee": "E"}[r["kind"]]
    for (crm, obj), _kind in _IDENTIFIED.items():
        for rid in getattr(world, crm)[obj].rows:
            assert (crm, obj, rid) in keyed, (crm, obj, rid)
    for owner in world.hubspot_owners:
        assert ("hubspot", "owners", owner["id"]) in keyed


def test_employees_and_their_accounts(world: World) -> None:
    employees = {e["employee_id"]: e for e in world.truth.files["employees"]}
    teams = Counter(e["team"] for e in employees.values())
    assert set(teams) == {
        "leadership",
        "marketing",
        "call_centre",
        "field_sales",
        "service",
        "iberia_sales",
    }
    for e in employees.values():
        assert e["manager_id"] is None or e["manager_id"] in employees
        assert e["accounts"]
        for account in e["accounts"]:
            obj = {"salesforce": "User", "hubspot": "owners", "zoho": "users"}[account["crm"]]
            assert exists(world, account["crm"], obj, account["user_id"])
    managers = [e for e in employees.values() if e["role"] == "manager"]
    assert all(len(m["accounts"]) == 3 for m in managers)
    assert any(not e["active"] for e in employees.values()) or len(employees) < 20


def test_people_appear_across_and_within_crms(small_world: World) -> None:
    per: dict[str, Counter[tuple[str, str]]] = {}
    for r in small_world.truth.files["identities"]:
        if r["kind"] == "person":
            per.setdefault(r["identity"], Counter())[(r["crm"], r["object"])] += 1
    multi = sum(1 for c in per.values() if len({crm for crm, _ in c}) > 1) / len(per)
    dup = sum(1 for c in per.values() if max(c.values()) > 1) / len(per)
    assert 0.25 <= multi <= 0.45
    assert 0.03 <= dup <= 0.12


def test_deal_rows_match_records_and_touches_exist(world: World) -> None:
    employees = {e["employee_id"] for e in world.truth.files["employees"]}
    deals = world.truth.files["deals"]
    assert deals
    for d in deals:
        record = getattr(world, d["crm"])[d["object"]].rows[d["id"]]
        amount = {"salesforce": "Amount", "hubspot": "amount", "zoho": "Amount"}[d["crm"]]
        assert f"{record[amount]:.2f}" == d["amount"]
        assert d["owner"] in employees
        steps = [t["step"] for t in d["touches"]]
        assert steps == list(range(1, len(steps) + 1))
        times = [t["at"] for t in d["touches"]]
        assert times == sorted(times)
        for t in d["touches"]:
            assert t["slot"] in _SLOTS and t["channel"] in _CHANNELS
            assert t["employee"] is None or t["employee"] in employees
            if t["id"] is not None:
                assert exists(world, t["crm"], t["object"], t["id"]), t
                if t["slot"] != "close" and t["slot"] != "lead_source":
                    assert t["object"] in _ACTIVITIES[t["crm"]], t
        if d["closed"]:
            assert d["touches"][-1]["slot"] == "close"
            assert d["touches"][-1]["id"] == d["id"]


def test_the_six_step_chain_is_there(world: World) -> None:
    six = [
        "lead_source",
        "qualification",
        "field_work",
        "customer_reply",
        "service_answer",
        "close",
    ]
    chains = [d for d in world.truth.files["deals"] if [t["slot"] for t in d["touches"]] == six]
    assert chains
    d = chains[0]
    crms = [t["crm"] for t in d["touches"]]
    assert crms[0] == "hubspot" and crms[1] == "hubspot" and crms[-1] == "salesforce"
    assert d["touches"][3]["employee"] is None  # the customer writes


def test_cases_rows(world: World) -> None:
    for c in world.truth.files["cases"]:
        record = getattr(world, c["crm"])[c["object"]].rows[c["id"]]
        if c["crm"] == "zoho":
            assert record["Case_Origin"].lower() == c["origin"]
            assert (record["Status"] == "Closed") == (c["closed_at"] is not None)
        if c["closed_at"]:
            assert c["opened_at"] < c["closed_at"]
        assert not c["reopened"] or c["closed_at"] is not None


def _activities_on(world: World, crm: str, target: str) -> list[datetime]:
    if crm == "salesforce":
        return [
            r["CreatedDate"]
            for obj in ("Task", "Event")
            for r in world.salesforce[obj].rows.values()
            if r["WhatId"] == target
        ]
    return [
        r["Created_Time"]
        for obj in ("Calls", "Tasks", "Events")
        for r in world.zoho[obj].rows.values()
        if r.get("What_Id") == target
    ]


def test_usage_problems_hold(world: World) -> None:
    problems = world.truth.files["usage_problems"]
    kinds = Counter(p["problem"] for p in problems)
    assert {"missing_fields", "slow_lead_response", "duplicate_created"} <= set(kinds)
    identities = {
        (r["crm"], r["object"], r["id"]): r["identity"] for r in world.truth.files["identities"]
    }
    per_identity = Counter(
        (r["crm"], r["object"], r["identity"]) for r in world.truth.files["identities"]
    )
    anchor = world.anchor
    for p in problems:
        record = getattr(world, p["crm"])[p["object"]].rows[p["id"]]
        kind = p["problem"]
        if kind == "missing_fields":
            assert all(record[f] is None for f in p["detail"].split(","))
        elif kind == "deal_created_at_close":
            created = record.get("CreatedDate") or record.get("Created_Time")
            close = record.get("CloseDate") or record.get("Closing_Date")
            assert (close - created.date()).days in (0, 1)
        elif kind == "no_activity_on_won_deal":
            assert record["IsWon"] and not _activities_on(world, p["crm"], p["id"])
        elif kind == "stale_open_deal":
            assert not record["IsClosed"] and record["CloseDate"] < anchor.date()
            assert record["LastModifiedDate"] <= anchor - timedelta(days=60)
            assert all(
                t <= anchor - timedelta(days=60) for t in _activities_on(world, p["crm"], p["id"])
            )
        elif kind == "slow_lead_response":
            linked = [
                world.hubspot[kind_].rows[eid]["hs_timestamp"]
                for kind_ in ("calls", "emails", "meetings", "notes", "tasks")
                for eid in world.hubspot_associations.get("contacts", p["id"], kind_)
            ]
            first = min(linked)
            hours = (first - record["createdate"]).total_seconds() / 3600
            assert hours >= 72 and int(hours) == int(p["detail"])
        elif kind == "no_lead_source":
            assert record.get("LeadSource", record.get("Lead_Source")) is None
        elif kind == "duplicate_created":
            identity = identities[(p["crm"], p["object"], p["id"])]
            assert identity == p["detail"]
            assert per_identity[(p["crm"], p["object"], identity)] >= 2
        else:
            raise AssertionError(f"unchecked problem {kind}")


def test_every_problem_kind_is_injected(small_world: World) -> None:
    kinds = {p["problem"] for p in small_world.truth.files["usage_problems"]}
    assert kinds == {
        "missing_fields",
        "deal_created_at_close",
        "no_activity_on_won_deal",
        "stale_open_deal",
        "slow_lead_response",
        "no_lead_source",
        "duplicate_created",
    }
