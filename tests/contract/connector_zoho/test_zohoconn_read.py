"""Full and incremental reads against the Zoho emulator, and what they cost in calls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from zohoconn_support import live_ids, read_all, reset_stats, stats

from connectors.core.records import Activity, Case, Deal, DealContact, Lead


def test_check_and_streams(connect) -> None:
    connector = connect()
    result = connector.check()
    assert result.ok is True
    assert result.details["user_id"] == "5725767000000000001"
    names = [s.name for s in connector.streams()]
    assert names == [
        "users",
        "leads",
        "contacts",
        "accounts",
        "deals",
        "deal_contacts",
        "deal_products",
        "activities",
        "cases",
        "history",
    ]
    activity = next(s for s in connector.streams() if s.name == "activities")
    assert activity.record_type == "activity"
    assert activity.remote_objects == ("Tasks", "Calls", "Events")


def test_full_read_returns_exactly_the_live_records(sb, connect) -> None:
    connector = connect()
    signpost = connector.server_time()
    assert signpost == sb.clock.now()
    for stream in ("leads", "contacts", "accounts", "deals", "activities", "cases"):
        pages, _ = read_all(connector, stream, None, signpost=signpost)
        ids = [r.remote_id for p in pages for r in p.records]
        assert sorted(ids) == sorted(live_ids(sb, stream)), stream
        assert all(not p.quarantined and not p.deleted_ids for p in pages)
    users, _ = read_all(connector, "users", None, signpost=signpost)
    assert {r.remote_id for p in users for r in p.records} == set(sb.world.zoho["users"].rows)
    deals = sb.world.zoho["Deals"].live()
    expected = {f"{d['id']}:{d['Contact_Name']}" for d in deals if d.get("Contact_Name")}
    pages, _ = read_all(connector, "deal_contacts", None, signpost=signpost)
    links = [r for p in pages for r in p.records]
    assert {r.remote_id for r in links} == expected
    assert all(isinstance(r, DealContact) and r.is_primary for r in links)
    # the links above came from the deals read of this run; a fresh connector asks Zoho
    alone, state = read_all(connect(), "deal_contacts", None, signpost=signpost)
    assert {r.remote_id for p in alone for r in p.records} == expected
    assert state["modules"]["Deals"]["cursor"] == signpost.isoformat()
    assert set(connector.list_ids("deal_contacts")) == expected
    assert set(connector.list_ids("activities")) == live_ids(sb, "activities")


def test_mapping_of_hand_checked_fields(sb, connect) -> None:
    connector = connect()
    deals = {r.remote_id: r for p in connector.read("deals", None, _opts()) for r in p.records}
    stored = sb.world.zoho["Deals"].rows["5725767000000000012"]
    deal = deals["5725767000000000012"]
    assert isinstance(deal, Deal)
    assert deal.amount == Decimal("16346.01") == Decimal(str(stored["Amount"]))
    assert (deal.currency, deal.stage, deal.is_won, deal.is_closed) == (
        "EUR",
        "Closed Won",
        True,
        True,
    )
    assert deal.close_date == stored["Closing_Date"]
    assert deal.owner_id == stored["Owner"] == "5725767000000000006"
    assert deal.account_id == stored["Account_Name"] == "5725767000000000010"
    assert deal.contact_id == "5725767000000000011"
    assert (deal.source_detail, deal.source_channel) == ("Web Download", "web")
    assert deal.remote_updated_at == stored["Modified_Time"]
    assert deal.raw["Deal_Name"] == stored["Deal_Name"]
    steps = {r["id"]: r.get("Next_Step") for r in sb.world.zoho["Deals"].live()}
    assert {rid: deals[rid].next_step for rid in steps} == steps

    leads = [r for p in connector.read("leads", None, _opts()) for r in p.records]
    converted = {r.remote_id for r in leads if isinstance(r, Lead) and r.converted}
    assert converted == {r["id"] for r in sb.world.zoho["Leads"].live() if r.get("Converted__s")}
    assert len(converted) == 2

    acts = {r.remote_id: r for p in connector.read("activities", None, _opts()) for r in p.records}
    call_row = next(r for r in sb.world.zoho["Calls"].live() if r.get("Call_Type") == "Outbound")
    call = acts[call_row["id"]]
    assert isinstance(call, Activity)
    assert (call.activity_type, call.channel, call.direction) == ("call", "phone", "outbound")
    assert call.duration_seconds == call_row["Call_Duration_in_seconds"]
    results = {r["id"]: r.get("Call_Result") for r in sb.world.zoho["Calls"].live()}
    assert {rid: acts[rid].outcome for rid in results} == results
    assert call.occurred_at == call_row["Call_Start_Time"]
    task = acts["5725767000000000044"]
    assert (task.activity_type, task.channel, task.case_id, task.contact_id) == (
        "task",
        "other",
        "5725767000000000042",
        "5725767000000000041",
    )
    event_row = next(iter(sb.world.zoho["Events"].live()))
    assert (acts[event_row["id"]].activity_type, acts[event_row["id"]].channel) == (
        "event",
        "meeting",
    )

    cases = [r for p in connector.read("cases", None, _opts()) for r in p.records]
    for case in cases:
        row = sb.world.zoho["Cases"].rows[case.remote_id]
        assert isinstance(case, Case)
        assert case.origin_detail == row["Case_Origin"]
        assert case.origin_channel == row["Case_Origin"].lower()
        assert case.account_id == row.get("Account_Name")


def test_full_read_costs_the_minimum_calls(sb, connect, admin) -> None:
    connector = connect()
    signpost = connector.server_time()  # the token call's Date header: no extra call
    reset_stats(admin, sb)
    read_all(connector, "activities", None, signpost=signpost)
    # 3 field-metadata calls and one page per module (each holds fewer than 200 rows)
    assert stats(admin, sb) == {
        "GET /crm/<version>/<module>": 3,
        "GET /crm/<version>/settings/fields": 3,
    }
    assert connector.api_usage().calls == 1 + 6


def test_incremental_read_returns_the_changes_and_deletes(sb, connect, admin) -> None:
    connector = connect()
    signpost = connector.server_time()
    states = {}
    for stream in ("leads", "deals", "activities"):
        _, states[stream] = read_all(connector, stream, None, signpost=signpost)
    sb.clock.advance(3600)  # an hour later, so the lookback does not reach the snapshot
    report = sb.churn(40, seed=11)
    zoho_changes = [c for c in report.changes if c[0] == "zoho"]
    assert zoho_changes, "the churn seed must touch Zoho"
    sb.clock.advance(5)
    later = connect()
    signpost2 = later.server_time()
    reset_stats(admin, sb)
    for stream, modules in (("leads", {"Leads"}), ("deals", {"Deals"})):
        pages, _ = read_all(later, stream, states[stream], signpost=signpost2)
        changed = {rid for _, obj, rid, op in zoho_changes if obj in modules}
        gone = {rid for _, obj, rid, op in zoho_changes if obj in modules and op == "delete"}
        got = {r.remote_id for p in pages for r in p.records}
        assert got == changed - gone - {r for _, o, r, op in zoho_changes if op == "merge"}
        assert {d for p in pages for d in p.deleted_ids} == gone | {
            r for _, o, r, op in zoho_changes if o in modules and op == "merge"
        }
    pages, state = read_all(later, "activities", states["activities"], signpost=signpost2)
    act = {"Tasks", "Calls", "Events"}
    got = {r.remote_id for p in pages for r in p.records}
    assert got == {rid for _, obj, rid, op in zoho_changes if obj in act and op != "delete"}
    assert {d for p in pages for d in p.deleted_ids} == {
        rid for _, obj, rid, op in zoho_changes if obj in act and op == "delete"
    }
    # no metadata calls (field lists ride in the state); one list + one deleted call each
    assert stats(admin, sb) == {
        "GET /crm/<version>/<module>": 5,
        "GET /crm/<version>/<module>/deleted": 5,
    }
    assert state["modules"]["Calls"]["cursor"] == signpost2.isoformat()
    # nothing changed since: a re-run only re-reads what lies inside the lookback
    pages, _ = read_all(later, "activities", state, signpost=signpost2)
    again = [r for p in pages for r in p.records]
    assert {r.remote_id for r in again} == got
    assert all(r.remote_updated_at >= signpost2 - timedelta(minutes=10) for r in again)
    pages, _ = read_all(later, "activities", state, signpost=signpost2, lookback=timedelta(0))
    assert [r for p in pages for r in p.records] == []


def _opts():
    from connectors.core.contract import ReadOptions

    return ReadOptions()
