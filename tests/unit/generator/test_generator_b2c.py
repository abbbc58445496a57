"""The consumer line (on by default): person accounts in Salesforce, contacts without a
company in HubSpot and Zoho, and their orders, added without changing any other record of
the world."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.b2c import B2C_BUYERS
from sandbox.hubspot.schema_custom import ORDERS, STORE_VISITS
from sandbox.persist import load_world, save_world
from sandbox.salesforce.schema_person import person_accounts_enabled
from sandbox.world import World
from sandbox.zoho.currencies import org_rate


def _b2c() -> World:
    return generate(1, "tiny", DEFAULT_ANCHOR)


def test_every_other_record_is_the_same_as_without_the_line() -> None:
    plain, world = generate(1, "tiny", DEFAULT_ANCHOR, b2c=False), _b2c()
    new = {(r["crm"], r["object"], r["id"]) for r in world.truth.files["b2c"]}
    new |= {(r["crm"], r["object"], r["id"]) for r in world.truth.files["orders"]}
    for crm in ("salesforce", "hubspot", "zoho"):
        before, after = getattr(plain, crm), getattr(world, crm)
        for name, table in before.items():
            for rid, row in table.rows.items():
                extra = {k: v for k, v in after[name].rows[rid].items() if k not in row}
                # an org with person accounts reports its business records as such, their
                # person fields empty
                assert set(extra.values()) <= {False, None}, (crm, name, rid)
                assert extra.get("IsPersonAccount", False) is False
                assert {k: after[name].rows[rid][k] for k in row} == row, (crm, name, rid)
            added = set(after[name].rows) - set(table.rows)
            assert all((crm, name, rid) in new or name in _ACTS[crm] for rid in added)
    assert not person_accounts_enabled(plain.salesforce)
    assert world.history.entries == plain.history.entries  # the CRMs' history too
    deals = plain.truth.files["deals"]
    assert world.truth.files["deals"][: len(deals)] == deals
    assert (
        plain.truth.files["identities"]
        == world.truth.files["identities"][: len(plain.truth.files["identities"])]
    )


# records of the line that are not consumers nor orders: their deals, calls, and the store
# visits before the orders placed in a store
_ACTS = {
    "salesforce": {"Opportunity", "OpportunitySplit", "Task", "Store_Visit__c"},
    "hubspot": {"deals", "calls", STORE_VISITS},
    "zoho": {"Deals", "Calls", "Store_Visits"},
}


def test_half_the_buyers_are_person_accounts_with_their_own_contact() -> None:
    world = _b2c()
    rows = world.truth.files["b2c"]
    buyers = Counter(r["crm"] for r in rows if r["object"] in ("Contact", "contacts", "Contacts"))
    # 8 buyers: 4 in Salesforce, 2 in HubSpot, 2 in Zoho; a third of the Salesforce ones
    # (buyers 0 and 1, here) first became a HubSpot contact on the web shop
    assert B2C_BUYERS["tiny"] == 8
    assert buyers == {"salesforce": 4, "hubspot": 4, "zoho": 2}
    accounts = world.salesforce["Account"]
    contacts = world.salesforce["Contact"]
    for row in rows:
        if row["object"] != "Account":
            continue
        account = accounts.rows[row["id"]]
        person = contacts.rows[account["PersonContactId"]]
        assert account["IsPersonAccount"] is True and person["IsPersonAccount"] is True
        assert person["AccountId"] == account["Id"]
        assert (person["Email"], person["Name"]) == (account["PersonEmail"], account["Name"])
        opportunities = [
            o
            for o in world.salesforce["Opportunity"].rows.values()
            if o["AccountId"] == account["Id"]
        ]
        assert len(opportunities) == 1
    zoho = [r for r in rows if r["crm"] == "zoho"]
    assert all(world.zoho["Contacts"].rows[r["id"]]["Account_Name"] is None for r in zoho)
    hubspot = [r["id"] for r in rows if r["crm"] == "hubspot"]
    links = world.hubspot_associations
    assert all(not links.get("contacts", rid, "companies") for rid in hubspot)


def test_the_line_is_the_same_every_time_and_survives_a_save(tmp_path: Path) -> None:
    first, second = _b2c(), _b2c()
    assert first.truth.files["b2c"] == second.truth.files["b2c"]
    assert first.truth.files["deals"] == second.truth.files["deals"]
    save_world(first, tmp_path / "world")
    loaded = load_world(tmp_path / "world")
    assert person_accounts_enabled(loaded.salesforce)
    assert loaded.salesforce["Account"].rows == first.salesforce["Account"].rows


def test_the_consumers_orders_are_paid_linked_and_in_their_currency() -> None:
    """Zero to two orders per consumer, in their CRM's orders object, linked to their
    contact (and person account), owned by their agent, in their currency; an order
    placed in a store follows a visit the same day; a Zoho order keeps its exchange rate."""
    world = _b2c()
    # Oracle's orders: test_generator_shop_keap_oracle.py
    orders = [o for o in world.truth.files["orders"] if o["crm"] != "oracle"]
    # tiny seed 1: 10 orders, 6 in the web shop or on the phone, 4 in a store
    assert Counter((o["crm"], o["channel"]) for o in orders) == {
        ("salesforce", "web"): 2,
        ("salesforce", "store"): 1,
        ("salesforce", "phone"): 1,
        ("hubspot", "store"): 2,
        ("zoho", "web"): 3,
        ("zoho", "store"): 1,
    }
    assert Counter(o["currency"] for o in orders) == {"EUR": 9, "GBP": 1}
    users = {
        e["employee_id"]: {a["crm"]: a["user_id"] for a in e["accounts"]}
        for e in world.truth.files["employees"]
    }
    visits = {(v["crm"], v["contact"], v["at"][:10]) for v in world.truth.files["store_visits"]}
    links = world.hubspot_associations
    for order in orders:
        crm, rid = order["crm"], order["id"]
        row = getattr(world, crm)[order["object"]].rows[rid]
        user = users[order["owner"]][crm]
        if crm == "salesforce":
            got = (row["Contact__c"], row["Account__c"], row["Total__c"], row["CurrencyIsoCode"])
            assert (row["Paid__c"], row["OwnerId"]) == (True, user)
        elif crm == "hubspot":
            (contact,) = links.get(ORDERS, rid, "contacts")
            got = (contact, None, row["total"], row["order_currency"])
            assert (row["paid"], row["hubspot_owner_id"]) == (True, user)
        else:
            got = (row["Customer"], row["Account"], row["Total"], row["Currency"])
            assert (row["Paid"], row["Owner"]) == (True, user)
            day = row["Created_Time"].date()
            assert row["Exchange_Rate"] == org_rate(1, "tiny", row["Currency"], day)
        assert got == (
            order["contact"],
            order["account"],
            float(order["amount"]),
            order["currency"],
        )
        assert (order["channel"] == "store") == (
            (crm, order["contact"], order["at"][:10]) in visits
        )
