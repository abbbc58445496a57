"""Products, price books, opportunity products and splits, as the real API serves them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from conftest import Org
from simple_salesforce import Salesforce

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.faults import FaultPlan
from sandbox.generator import generate
from sandbox.http import EmulatorServer
from sandbox.salesforce import SalesforceEmulator
from sandbox.tls import ensure_tls_files


@pytest.fixture(scope="module")
def shop(org: Org) -> Iterator[tuple[Salesforce, SalesforceEmulator]]:
    world = generate(7, "tiny", DEFAULT_ANCHOR)
    app = SalesforceEmulator(world, ManualClock(DEFAULT_ANCHOR), FaultPlan(), org.credentials)
    server = EmulatorServer(app, ensure_tls_files(org.ca_bundle.parent))
    base = server.start()
    session = requests.Session()
    session.verify = str(org.ca_bundle)
    session.trust_env = False
    try:
        yield (
            Salesforce(
                instance_url=base, session_id=app.issue_token(), session=session, version="59.0"
            ),
            app,
        )
    finally:
        server.stop()
        session.close()


def test_global_describe_lists_the_objects_with_their_key_prefixes(shop):
    sf, _ = shop
    prefixes = {o["name"]: o["keyPrefix"] for o in sf.describe()["sobjects"]}
    assert {n: prefixes[n] for n in ("Product2", "Pricebook2", "PricebookEntry")} == {
        "Product2": "01t",
        "Pricebook2": "01s",
        "PricebookEntry": "01u",
    }
    assert prefixes["OpportunityLineItem"] == "00k"
    assert prefixes["OpportunitySplitType"] == "149"
    assert prefixes["OpportunitySplit"] == "049"


def test_line_item_describe_has_the_real_fields_and_relationships(shop):
    sf, _ = shop
    fields = {f["name"]: f for f in sf.OpportunityLineItem.describe()["fields"]}
    assert {
        "OpportunityId",
        "PricebookEntryId",
        "Product2Id",
        "Quantity",
        "UnitPrice",
        "ListPrice",
        "TotalPrice",
        "Subtotal",
        "Discount",
        "ServiceDate",
        "ProductCode",
        "SortOrder",
    } <= set(fields)
    assert (fields["Product2Id"]["referenceTo"], fields["Product2Id"]["relationshipName"]) == (
        ["Product2"],
        "Product2",
    )
    assert fields["ListPrice"]["createable"] is False
    split = {f["name"]: f for f in sf.OpportunitySplit.describe()["fields"]}
    assert split["SplitOwnerId"]["relationshipName"] == "SplitOwner"
    assert split["SplitTypeId"]["referenceTo"] == ["OpportunitySplitType"]
    assert split["SplitAmount"]["createable"] is False


def test_line_items_query_through_their_relationships(shop):
    sf, _ = shop
    rows = sf.query_all(
        "SELECT Opportunity.Name, PricebookEntry.Product2.Name, Product2.Family, Quantity, "
        "UnitPrice, TotalPrice FROM OpportunityLineItem ORDER BY Id"
    )["records"]
    got = [
        (
            r["Opportunity"]["Name"].rsplit(" - ", 1)[1],
            r["PricebookEntry"]["Product2"]["Name"],
            r["Product2"]["Family"],
            r["Quantity"],
            r["TotalPrice"],
        )
        for r in rows
    ]
    assert got == [
        ("Mass spectrometer", "Mass spectrometer", "Instruments", 1.0, 198120.83),
        ("Mass spectrometer", "Service contract", "Services", 1.0, 22013.42),
        ("Spectrophotometer", "Spectrophotometer", "Instruments", 1.0, 14480.51),
        ("Spectrophotometer", "Spectrophotometer", "Instruments", 1.0, 149679.21),
        ("Spectrophotometer", "Service contract", "Services", 1.0, 16631.02),
    ]


def test_line_items_sum_to_their_opportunity_amount(shop):
    sf, _ = shop
    items = sf.query_all("SELECT OpportunityId, TotalPrice FROM OpportunityLineItem")["records"]
    totals: dict[str, float] = {}
    for r in items:
        totals[r["OpportunityId"]] = round(totals.get(r["OpportunityId"], 0) + r["TotalPrice"], 2)
    for opp_id, total in totals.items():
        opp = sf.Opportunity.get(opp_id)
        assert (opp["Amount"], opp["HasOpportunityLineItem"], opp["IsWon"]) == (total, True, True)


def test_split_types_are_revenue_and_overlay(shop):
    sf, _ = shop
    summary = sf.OpportunitySplitType.describe()
    assert (summary["createable"], summary["updateable"], summary["deletable"]) == (
        False,
        True,
        False,
    )
    rows = sf.query(
        "SELECT DeveloperName, IsTotalValidated, SplitField FROM OpportunitySplitType "
        "ORDER BY DeveloperName"
    )["records"]
    assert [(r["DeveloperName"], r["IsTotalValidated"], r["SplitField"]) for r in rows] == [
        ("Overlay", False, "Amount"),
        ("Revenue", True, "Amount"),
    ]


def test_revenue_splits_total_100_per_opportunity(shop):
    sf, _ = shop
    rows = sf.query_all(
        "SELECT OpportunityId, SplitOwner.Name, SplitPercentage, SplitType.DeveloperName "
        "FROM OpportunitySplit"
    )["records"]
    revenue: dict[str, float] = {}
    for r in rows:
        if r["SplitType"]["DeveloperName"] == "Revenue":
            revenue[r["OpportunityId"]] = revenue.get(r["OpportunityId"], 0) + r["SplitPercentage"]
    opps = sf.query_all("SELECT Id FROM Opportunity")["records"]
    assert revenue == {o["Id"]: 100.0 for o in opps}
    assert all(r["SplitOwner"]["Name"] for r in rows)


def test_creating_a_line_item_derives_prices_and_rolls_up_the_amount(shop):
    sf, _ = shop
    opp = sf.Opportunity.create(
        {"Name": "Probe - HPLC system", "StageName": "Prospecting", "CloseDate": "2026-11-30"}
    )
    entry = sf.query(
        "SELECT Id, UnitPrice FROM PricebookEntry WHERE Product2.Name = 'HPLC system' "
        "AND CurrencyIsoCode = 'USD'"
    )["records"][0]
    item = sf.OpportunityLineItem.create(
        {
            "OpportunityId": opp["id"],
            "PricebookEntryId": entry["Id"],
            "Quantity": 2,
            "UnitPrice": 45000,
            "Discount": 10,
        }
    )
    row = sf.OpportunityLineItem.get(item["id"])
    assert (row["ListPrice"], row["Subtotal"], row["TotalPrice"], row["Name"]) == (
        48000.0,
        90000.0,
        81000.0,
        "Probe - HPLC system HPLC system",
    )
    assert (
        row["Product2Id"]
        == sf.query("SELECT Id FROM Product2 WHERE Name = 'HPLC system'")["records"][0]["Id"]
    )
    assert sf.Opportunity.get(opp["id"])["Amount"] == 81000.0
    sf.OpportunityLineItem.delete(item["id"])
    assert sf.Opportunity.get(opp["id"])["HasOpportunityLineItem"] is False


def test_a_split_without_a_type_is_a_revenue_split_of_the_amount(shop):
    sf, _ = shop
    opp = sf.Opportunity.create(
        {"Name": "Probe 2", "StageName": "Prospecting", "CloseDate": "2026-11-30", "Amount": 1000}
    )
    user = sf.query("SELECT Id FROM User LIMIT 1")["records"][0]["Id"]
    split = sf.OpportunitySplit.create(
        {"OpportunityId": opp["id"], "SplitOwnerId": user, "SplitPercentage": 25}
    )
    row = sf.query(
        "SELECT SplitAmount, SplitType.DeveloperName FROM OpportunitySplit "
        f"WHERE Id = '{split['id']}'"
    )["records"][0]
    assert (row["SplitAmount"], row["SplitType"]["DeveloperName"]) == (250.0, "Revenue")
