"""Full reads against the sandbox: every stream equals the world, mapped field by field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sfconn_support import read_all, records, world_ids

from connectors.core.contract import ReadOptions
from connectors.core.records import Activity, Deal, Lead
from connectors.salesforce import SalesforceConnector, SalesforceSettings
from connectors.salesforce.reader import ALL_OBJECTS, STREAMS
from sandbox import Sandbox

Connect = Callable[..., SalesforceConnector]


def test_check_reports_the_daily_allowance(connect: Connect) -> None:
    result = connect().check()
    assert result.ok is True
    assert result.details["daily_api_max"] == 5_000_000


def test_check_with_a_wrong_secret_fails_cleanly(sb: Sandbox, connect: Connect) -> None:
    info = sb.info.salesforce
    auth = {"flow": "client_credentials", "client_id": info.client_id, "client_secret": "nope"}
    result = connect(auth=auth).check()
    assert result.ok is False
    assert "invalid_client" in result.message
    assert "nope" not in result.message


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_full_read_returns_exactly_the_live_records(
    sb: Sandbox, connect: Connect, stream: str
) -> None:
    pages = read_all(connect(), stream)
    got = records(pages)
    assert len(got) == len({r.remote_id for r in got})
    assert {r.remote_id for r in got} == world_ids(sb, stream)
    assert all(r.kind == STREAMS[stream][0] for r in got)
    assert [q for p in pages for q in p.quarantined] == []
    assert pages[-1].state["record_type"] == STREAMS[stream][0]


def test_full_read_uses_the_minimum_calls(sb: Sandbox, connect: Connect) -> None:
    connector = connect()
    signpost = connector.server_time()
    app = sb.apps["salesforce"]
    app.stats.reset()
    pages = read_all(connector, "activities", options=None)
    # Task (629 rows) and Event: one query each (2,000 rows a page), every describe in one
    # batch, plus the clock read of read_all (the first server_time logged in and took the
    # login's issued_at); no COUNT(), no delete log
    stats = app.stats.snapshot()
    assert stats["endpoints"] == {
        "GET /services/data": 1,
        "GET /services/data/<version>/queryAll": 2,
        "POST /services/data/<version>/composite/batch": 1,
    }
    assert sum(p.api_calls for p in pages) == 3  # all but the clock read
    assert connector.api_usage().calls == 5
    assert connector.catalog.describes == len(ALL_OBJECTS)  # the other streams' too
    assert signpost.tzinfo is UTC


def test_deals_map_money_dates_owner_and_channel(sb: Sandbox, connect: Connect) -> None:
    deals = {r.remote_id: r for r in records(read_all(connect(), "deals"))}
    rows = [r for r in sb.world.salesforce["Opportunity"].live() if r.get("Amount")]
    row = rows[0]
    deal = deals[row["Id"]]
    assert isinstance(deal, Deal)
    assert deal.amount == Decimal(repr(row["Amount"]))
    assert isinstance(deal.amount, Decimal)
    assert deal.currency == row["CurrencyIsoCode"]
    assert deal.close_date == row["CloseDate"]
    assert isinstance(deal.close_date, date)
    assert deal.owner_id == row["OwnerId"]
    assert deal.account_id == row["AccountId"]
    assert deal.stage == row["StageName"]
    assert deal.is_won is bool(row["IsWon"])
    assert deal.remote_updated_at == row["SystemModstamp"]
    assert deal.custom_fields == {"Region__c": row.get("Region__c")}
    assert deal.raw["Id"] == row["Id"] and "attributes" not in deal.raw
    web = [d for d in deals.values() if d.source_detail == "Web"]
    assert web and all(d.source_channel == "web" for d in web)
    steps = {r["Id"]: r.get("NextStep") for r in sb.world.salesforce["Opportunity"].live()}
    assert {rid: deals[rid].next_step for rid in steps} == steps
    assert any(steps.values()) and None in steps.values()  # some open deals have none


def test_leads_map_conversion_and_channel(sb: Sandbox, connect: Connect) -> None:
    leads = {r.remote_id: r for r in records(read_all(connect(), "leads"))}
    row = next(r for r in sb.world.salesforce["Lead"].live() if r.get("IsConverted"))
    lead = leads[row["Id"]]
    assert isinstance(lead, Lead)
    assert lead.converted is True
    assert lead.converted_contact_id == row["ConvertedContactId"]
    assert lead.converted_account_id == row["ConvertedAccountId"]
    assert lead.converted_deal_id == row["ConvertedOpportunityId"]
    day = row["ConvertedDate"]
    assert lead.converted_at == datetime(day.year, day.month, day.day, tzinfo=UTC)
    phone = [r for r in leads.values() if r.source_detail == "Phone Inquiry"]
    assert all(r.source_channel == "phone" for r in phone)


def test_activities_map_type_channel_direction_and_links(sb: Sandbox, connect: Connect) -> None:
    connector = connect()
    lead = next(iter(sb.world.salesforce["Lead"].live()))["Id"]
    created = connector.http.call(
        "create task",
        lambda sf: sf.Task.create(
            {"Subject": "Called in", "Status": "Completed", "TaskSubtype": "Call",
             "CallType": "Inbound", "WhoId": lead, "CallDurationInSeconds": 95,
             "CallDisposition": "Requested a quote"}
        ),
    )  # fmt: skip
    acts = {r.remote_id: r for r in records(read_all(connector, "activities"))}
    tasks = list(sb.world.salesforce["Task"].live())
    call = acts[created["id"]]
    assert isinstance(call, Activity)
    assert (call.activity_type, call.channel, call.direction) == ("call", "phone", "inbound")
    assert (call.lead_id, call.duration_seconds) == (lead, 95)
    assert call.outcome == "Requested a quote"
    logged = {t["Id"]: t.get("CallDisposition") for t in sb.world.salesforce["Task"].live()}
    assert {rid: acts[rid].outcome for rid in logged} == logged
    outbound = next(t for t in tasks if t.get("CallType") == "Outbound")
    assert acts[outbound["Id"]].direction == "outbound"
    email = acts[next(t for t in tasks if t.get("TaskSubtype") == "Email")["Id"]]
    assert (email.activity_type, email.channel) == ("email", "email")
    event = acts[next(iter(sb.world.salesforce["Event"].live()))["Id"]]
    assert (event.activity_type, event.channel) == ("meeting", "meeting")
    for task in tasks:
        who, what = task.get("WhoId") or "", task.get("WhatId") or ""
        act = acts[task["Id"]]
        assert act.lead_id == (who if who.startswith("00Q") else None)
        assert act.contact_id == (who if who.startswith("003") else None)
        assert act.deal_id == (what if what.startswith("006") else None)
        assert act.account_id == (what if what.startswith("001") else None)


def test_campaign_members_carry_the_campaign_name(sb: Sandbox, connect: Connect) -> None:
    members = records(read_all(connect(), "campaign_members"))
    names = {r["Id"]: r["Name"] for r in sb.world.salesforce["Campaign"].live()}
    assert members
    assert all(m.campaign_name == names[m.campaign_id] for m in members)  # type: ignore[attr-defined]


def test_bulk_read_equals_the_rest_read(sb: Sandbox, connect: Connect) -> None:
    rest = connect()
    bulk = connect(bulk_threshold=100, page_size=200, bulk_page_size=250)
    signpost = rest.server_time()
    opts = ReadOptions(signpost=signpost)
    via_rest = records(read_all(rest, "activities", options=opts))
    pages = read_all(bulk, "activities", options=opts)
    via_bulk = records(pages)
    assert bulk.reader.bulk.jobs == 1  # Task (629 rows) went Bulk after its first page
    # a first REST page of 200, then Bulk pages of 250 and the rest
    tasks = len(sb.world.salesforce["Task"].rows)
    assert tasks > 450
    assert [len(p.records) for p in pages if p.records][:3] == [200, 250, tasks - 450]
    for record in (*via_rest, *via_bulk):
        record.raw = {}
    assert sorted(via_bulk, key=lambda r: r.remote_id) == sorted(
        via_rest, key=lambda r: r.remote_id
    )


def test_list_ids_gives_every_live_id(sb: Sandbox, connect: Connect) -> None:
    ids = list(connect(page_size=200).list_ids("activities"))
    assert len(ids) == len(set(ids))
    assert set(ids) == world_ids(sb, "activities")


def test_settings_reject_unknown_keys_and_missing_flow_fields(sb: Sandbox) -> None:
    with pytest.raises(ValidationError, match="extra"):
        SalesforceSettings.model_validate(
            {"instance_url": "https://x", "auth": {"flow": "access_token", "access_token": "t"},
             "page_sise": 10}
        )  # fmt: skip
    with pytest.raises(ValidationError, match="refresh_token"):
        SalesforceSettings.model_validate(
            {"instance_url": "https://x", "auth": {"flow": "refresh_token", "client_id": "c",
             "client_secret": "s"}}
        )  # fmt: skip
