"""Full reads of every stream against the sandbox's HubSpot world, and the mapping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
import requests
from hsconn_support import archived_ids, live_ids, read_all, records, reset_stats, stats

from connectors.core.channels import ChannelMap
from connectors.core.errors import SkippableRecordError
from connectors.hubspot import HubSpotConnector
from connectors.hubspot.dispositions import DEFAULT_DISPOSITIONS
from connectors.hubspot.mapping import HubSpotMapper
from sandbox import Sandbox

Connect = Callable[..., HubSpotConnector]


def test_check_reports_the_portal(connect: Connect, sb: Sandbox) -> None:
    result = connect().check()
    assert result.ok is True
    assert result.details["base_url"] == sb.info.hubspot.base_url


def test_server_time_is_the_sandbox_clock(connect: Connect, sb: Sandbox) -> None:
    assert connect().server_time() == sb.clock.now().replace(microsecond=0)


@pytest.mark.parametrize("stream", ["contacts", "accounts", "deals", "activities", "cases"])
def test_full_read_returns_every_live_and_archived_record(
    connect: Connect, sb: Sandbox, stream: str
) -> None:
    pages, state = read_all(connect(), stream, None)
    kind = {"accounts": "account", "activities": "activity", "cases": "case"}.get(
        stream, stream[:-1]
    )
    got = records(pages, kind)
    assert {r.remote_id for r in got if not r.deleted} == live_ids(sb, stream)
    assert {r.remote_id for r in got if r.deleted} == archived_ids(sb, stream)
    assert len(got) == len({r.remote_id for r in got})
    assert all(not p.quarantined for p in pages)
    assert state is not None and all("run" not in s for s in state["objects"].values())


def test_users_are_owners_with_archived_ones_deleted(connect: Connect, sb: Sandbox) -> None:
    pages, _ = read_all(connect(), "users", None)
    users = {u.remote_id: u for u in records(pages)}
    owners = {str(o["id"]): o for o in sb.world.hubspot_owners}
    assert set(users) == set(owners)
    for rid, owner in owners.items():
        assert users[rid].deleted is bool(owner["archived"])
        assert users[rid].email == owner["email"]


def test_deal_mapping_and_contact_roles(connect: Connect, sb: Sandbox) -> None:
    pages, _ = read_all(connect(), "deals", None)
    deals = {d.remote_id: d for d in records(pages, "deal")}
    roles = {r.remote_id for r in records(pages, "deal_contact")}
    links = sb.world.hubspot_associations
    expected_roles = set()
    for row in sb.world.hubspot["deals"].all():
        rid = row["id"]
        deal = deals[rid]
        assert deal.amount == (Decimal(str(row["amount"])) if row.get("amount") else None)
        assert deal.currency == row.get("deal_currency_code")
        assert deal.close_date == (row["closedate"].date() if row.get("closedate") else None)
        assert deal.owner_id == row.get("hubspot_owner_id")
        assert deal.stage == row["dealstage"]
        assert deal.is_won is (row["dealstage"] == "closedwon")
        assert deal.is_closed is (row["dealstage"] in ("closedwon", "closedlost"))
        assert deal.next_step == row.get("hs_next_step")
        companies = links.get("deals", rid, "companies")
        primary = [c for c, types in companies.items() if 5 in types]
        assert deal.account_id == (primary[0] if primary else None)
        expected_roles |= {f"{rid}:{c}" for c in links.get("deals", rid, "contacts")}
    assert roles == expected_roles
    # the stage's probability, a fraction in HubSpot, in percent: closed won is 100
    assert {d.probability for d in deals.values() if d.is_won} == {Decimal(100)}
    sample = next(d for d in deals.values() if d.amount is not None)
    assert isinstance(sample.amount, Decimal)
    assert isinstance(sample.close_date, date)


def test_contact_and_activity_mapping(connect: Connect, sb: Sandbox) -> None:
    connector = connect()
    contacts = {c.remote_id: c for c in records(read_all(connector, "contacts", None)[0])}
    channels = ChannelMap("hubspot")
    for row in sb.world.hubspot["contacts"].live():
        contact = contacts[row["id"]]
        assert contact.account_id == (
            str(row["associatedcompanyid"]) if row.get("associatedcompanyid") else None
        )
        assert contact.source_channel == channels.lead_source(row.get("hs_analytics_source"))
        assert contact.email == row.get("email")
    activities = {a.remote_id: a for a in records(read_all(connector, "activities", None)[0])}
    directions = {"INCOMING_EMAIL": "inbound", "EMAIL": "outbound"}
    for row in sb.world.hubspot["emails"].live():
        email = activities[row["id"]]
        assert (email.activity_type, email.channel) == ("email", "email")
        assert email.direction == directions.get(row.get("hs_email_direction"))
        assert email.occurred_at == row["hs_timestamp"].replace(
            microsecond=row["hs_timestamp"].microsecond // 1000 * 1000
        )
    for row in sb.world.hubspot["calls"].live():
        call = activities[row["id"]]
        assert (call.activity_type, call.channel) == ("call", "phone")
        # the six default disposition ids arrive as their labels
        assert call.outcome == DEFAULT_DISPOSITIONS.get(row.get("hs_call_disposition") or "")
        contacts_linked = sorted(sb.world.hubspot_associations.get("calls", row["id"], "contacts"))
        assert call.contact_id == (contacts_linked[0] if contacts_linked else None)


def test_full_read_uses_the_minimum_calls_and_list_ids_is_free(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    connector = connect()
    reset_stats(admin, sb)
    read_all(connector, "contacts", None)
    live, archived = len(live_ids(sb, "contacts")), len(archived_ids(sb, "contacts"))
    pages = -(-live // 100) + max(1, -(-archived // 100))
    assert stats(admin, sb) == {
        "GET /crm/v3/objects/<type>": pages,
        "GET /crm/v3/properties/<type>": 1,
        "GET /crm/v3/owners/": 1,  # the signpost
    }
    before = connector.api_usage().calls
    assert set(connector.list_ids("contacts")) == live_ids(sb, "contacts")
    assert connector.api_usage().calls == before


def test_unmappable_record_is_quarantined_not_fatal() -> None:
    mapper = HubSpotMapper("hubspot", ChannelMap("hubspot"))
    raw = {"id": "15000000999", "properties": {"amount": "12,5 EUR"}, "archived": False}
    with pytest.raises(SkippableRecordError) as caught:
        mapper.map("deals", raw)
    assert caught.value.record_id == "15000000999"
    assert "InvalidOperation" in caught.value.user_message
