"""apply_churn: deterministic, counted, and faithful to each CRM's delete/merge rules."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from generator_helpers import snapshot

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.generator import ChurnReport, apply_churn, generate
from sandbox.world import World

CHANGES = 300


@pytest.fixture(scope="module")
def churned() -> tuple[World, World, ChurnReport, ManualClock]:
    before = generate(5, "small", DEFAULT_ANCHOR)
    world = generate(5, "small", DEFAULT_ANCHOR)
    clock = ManualClock(DEFAULT_ANCHOR + timedelta(hours=1))
    report = apply_churn(world, clock, CHANGES, seed=11, burst=40, late_commits=6)
    return before, world, report, clock


def test_churn_is_deterministic(churned: tuple[World, World, ChurnReport, ManualClock]) -> None:
    _, world, report, _ = churned
    again = generate(5, "small", DEFAULT_ANCHOR)
    clock = ManualClock(DEFAULT_ANCHOR + timedelta(hours=1))
    report2 = apply_churn(again, clock, CHANGES, seed=11, burst=40, late_commits=6)
    assert report2 == report
    assert snapshot(again) == snapshot(world)
    other = generate(5, "small", DEFAULT_ANCHOR)
    report3 = apply_churn(other, ManualClock(DEFAULT_ANCHOR + timedelta(hours=1)), CHANGES, seed=12)
    assert report3.changes != report.changes


def test_churn_counts(churned: tuple[World, World, ChurnReport, ManualClock]) -> None:
    _, world, report, clock = churned
    assert report.total("update", "create", "delete", "merge") == CHANGES
    assert report.total("bulk_update", "bulk_create") == 40
    assert report.total("late_update") == 6
    assert 90 <= report.total("update") <= 150
    assert 75 <= report.total("create") <= 135
    assert 25 <= report.total("delete") <= 70
    assert 10 <= report.total("merge") <= 50
    crms = {crm for crm, _, _ in report.counts}
    assert crms == {"salesforce", "hubspot", "zoho"}
    # One millisecond per change, burst and late commit.
    assert clock.now() == DEFAULT_ANCHOR + timedelta(hours=1, milliseconds=CHANGES + 1 + 6)
    churn_rows = world.truth.files["churn"]
    assert [(r["crm"], r["object"], r["id"], r["op"]) for r in churn_rows] == report.changes


def test_change_times_strictly_increase(
    churned: tuple[World, World, ChurnReport, ManualClock],
) -> None:
    _, world, _, _ = churned
    times = []
    for row in world.truth.files["churn"]:
        if row["op"] in ("late_update", "merge_winner", "bulk_update", "bulk_create"):
            continue
        times.append(datetime.fromisoformat(row["at"]))
    assert all(b - a >= timedelta(milliseconds=1) for a, b in itertools.pairwise(times))


def test_deletes_and_merges_follow_each_crm(
    churned: tuple[World, World, ChurnReport, ManualClock],
) -> None:
    before, world, report, _ = churned
    seen = set()
    for crm, obj, rid, op in report.changes:
        table = getattr(world, crm)[obj]
        if op == "delete":
            seen.add(crm)
            if crm == "salesforce":
                record = table.rows[rid]
                assert record["IsDeleted"] is True and table.is_deleted(rid)
                assert record["SystemModstamp"] == table.deleted_at[rid]
            elif crm == "hubspot":
                assert table.is_deleted(rid)
                name = table.schema.modified_fields[0]
                # Archiving keeps the last modified stamp: it stays before the archive time.
                assert table.rows[rid][name] < table.deleted_at[rid]
                if not any(c[2] == rid and c[3] == "update" for c in report.changes):
                    assert table.rows[rid][name] == getattr(before, crm)[obj].rows[rid][name]
            else:
                assert table.is_deleted(rid) or rid in table.purged
        elif op == "merge":
            winner = next(
                w
                for c, o, w, op2 in report.changes[report.changes.index((crm, obj, rid, op)) :]
                if op2 == "merge_winner"
            )
            if crm == "salesforce":
                assert table.rows[rid]["MasterRecordId"] == winner and table.is_deleted(rid)
            elif crm == "hubspot":
                assert rid in table.purged
                assert rid in table.rows[winner]["hs_merged_object_ids"].split(";")
                assert not world.hubspot_associations.get(obj, rid, "companies")
                for kind in ("calls", "emails", "notes"):
                    moved = before.hubspot_associations.get(obj, rid, kind)
                    still = world.hubspot[kind].rows
                    kept = world.hubspot_associations.get(obj, winner, kind)
                    assert all(e in kept for e in moved if e in still)
            else:
                assert rid in table.purged
    assert seen == {"salesforce", "hubspot", "zoho"}


def test_burst_shares_one_timestamp(churned: tuple[World, World, ChurnReport, ManualClock]) -> None:
    _, world, report, _ = churned
    burst = [rid for crm, obj, rid, op in report.changes if op == "bulk_update"]
    assert len(burst) == 40
    stamps = {world.hubspot["contacts"].rows[rid]["lastmodifieddate"] for rid in burst}
    assert stamps == {report.burst_at}


def test_burst_larger_than_the_portal_imports_contacts() -> None:
    world = generate(2, "tiny", DEFAULT_ANCHOR)
    live = len(world.hubspot["contacts"])
    report = apply_churn(world, ManualClock(DEFAULT_ANCHOR), 0, seed=1, burst=live + 25)
    assert report.counts[("hubspot", "contacts", "bulk_update")] == live
    assert report.counts[("hubspot", "contacts", "bulk_create")] == 25
    created = [rid for _, _, rid, op in report.changes if op == "bulk_create"]
    for rid in created:
        r = world.hubspot["contacts"].rows[rid]
        assert r["createdate"] == r["lastmodifieddate"] == report.burst_at
    identities = {(r["object"], r["id"]) for r in world.truth.files["identities"]}
    assert all(("contacts", rid) in identities for rid in created)


def test_late_commits_are_in_the_past(
    churned: tuple[World, World, ChurnReport, ManualClock],
) -> None:
    _, world, report, clock = churned
    late = [(obj, rid) for crm, obj, rid, op in report.changes if op == "late_update"]
    assert len(late) == 6
    now = clock.now()
    for obj, rid in late:
        stamp = world.salesforce[obj].rows[rid]["SystemModstamp"]
        assert now - timedelta(minutes=5) <= stamp <= now - timedelta(minutes=1)


def test_new_records_get_identities(churned: tuple[World, World, ChurnReport, ManualClock]) -> None:
    _, world, report, _ = churned
    identities = {(r["crm"], r["object"], r["id"]) for r in world.truth.files["identities"]}
    people = {("salesforce", "Lead"), ("hubspot", "contacts"), ("zoho", "Leads")}
    created = [(c, o, i) for c, o, i, op in report.changes if op == "create" and (c, o) in people]
    assert created
    assert all(key in identities for key in created)


def test_updates_carry_the_change_time(
    churned: tuple[World, World, ChurnReport, ManualClock],
) -> None:
    _, world, _report, _ = churned
    rows = world.truth.files["churn"]
    last_at: dict[tuple[str, str, str], str] = {}
    for r in rows:
        last_at[(r["crm"], r["object"], r["id"])] = r["at"]
    for r in rows:
        key = (r["crm"], r["object"], r["id"])
        if r["op"] != "update" or last_at[key] != r["at"]:
            continue
        table = getattr(world, r["crm"])[r["object"]]
        if key[2] not in table.rows or table.is_deleted(key[2]):
            continue
        stamp = table.rows[key[2]][table.schema.modified_fields[0]]
        assert stamp.isoformat() == r["at"]
