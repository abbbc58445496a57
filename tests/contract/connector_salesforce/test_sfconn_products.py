"""Opportunity products and splits read as ``deal_products`` and ``deal_splits``; an org
without opportunity splits (Team Selling off) reads no splits instead of failing."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sfconn_support import read_all, records, world_ids

from connectors.core.records import DealProduct, DealSplit


def test_deal_products_carry_the_product_name_and_prices(sb, connect) -> None:
    pages = read_all(connect(), "deal_products")
    got = [r for r in records(pages) if isinstance(r, DealProduct)]
    assert {r.remote_id for r in got} == world_ids(sb, "deal_products")
    items = {r["Id"]: r for r in sb.world.salesforce["OpportunityLineItem"].live()}
    products = {r["Id"]: r["Name"] for r in sb.world.salesforce["Product2"].live()}
    for record in got:
        item = items[record.remote_id]
        assert (record.deal_id, record.product_name, record.amount, record.quantity) == (
            item["OpportunityId"],
            products[item["Product2Id"]],
            Decimal(str(item["TotalPrice"])),
            Decimal("1.0"),
        )


def test_deal_splits_carry_owner_type_and_percent(sb, connect) -> None:
    pages = read_all(connect(), "deal_splits")
    got = [r for r in records(pages) if isinstance(r, DealSplit)]
    assert {r.remote_id for r in got} == world_ids(sb, "deal_splits")
    revenue: Counter[str] = Counter()
    for r in got:
        if r.split_type == "revenue":
            revenue[r.deal_id] += int(r.percent or 0)
    assert set(revenue.values()) == {100}
    assert {r.split_type for r in got} == {"revenue", "overlay"}


def test_an_org_without_splits_reads_none(sb, connect) -> None:
    with sb.world.lock:
        sb.world.salesforce.pop("OpportunitySplit")
    connector = connect()
    pages = read_all(connector, "deal_splits")
    assert [p.records for p in pages] == [[]]
    assert pages[0].state["absent"] == ["OpportunitySplit"]
    assert list(connector.list_ids("deal_splits")) == []
    products = read_all(connect(), "deal_products")  # the other streams still read
    assert records(products)
