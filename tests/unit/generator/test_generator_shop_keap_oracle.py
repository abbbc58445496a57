"""Store visits and orders in Oracle's custom objects and Keap's appointments."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.world import World


def test_oracle_visits_and_orders_are_linked_as_the_truth_says(tiny_world: World) -> None:
    oracle = tiny_world.oracle
    files = tiny_world.truth.files
    visits = [v for v in files["store_visits"] if v["crm"] == "oracle"]
    orders = [o for o in files["orders"] if o["crm"] == "oracle"]
    contacts = {c["PartyId"]: c for c in oracle["contacts"].live()}
    for visit in visits:
        row = oracle["StoreVisit_c"].rows[visit["id"]]
        assert visit["object"] == "StoreVisit_c"
        got = (row["Contact_Id_c"], row["Account_Id_c"], row["Store_c"], row["VisitDate_c"])
        at = datetime.fromisoformat(visit["at"])
        assert got == (visit["contact"], visit["account"], visit["store"], at)
        assert row["Owner_Id_c"] == contacts[visit["contact"]]["OwnerPartyId"]
        assert row["RecordName"].startswith("SV-") and at < DEFAULT_ANCHOR
    users = {e["employee_id"]: e["user_id"] for e in files["oracle_employees"]}
    people = {r["id"]: r["identity"] for r in files["oracle_identities"]}
    days = {(v["contact"], v["at"][:10]) for v in visits}
    for order in orders:
        row = oracle["Order_c"].rows[order["id"]]
        got = (row["Contact_Id_c"], row["Account_Id_c"], row["Total_c"], row["Owner_Id_c"])
        owner = users[order["owner"]]
        assert got == (order["contact"], order["account"], float(order["amount"]), owner)
        assert (row["Paid_c"], row["CurrencyCode"], order["identity"]) == (
            True,
            "USD",
            people[order["contact"]],
        )
        assert (order["channel"] == "store") == ((order["contact"], order["at"][:10]) in days)
    # tiny seed 7: 4 contacts' visits (a quarter of them) and 2 before a store order
    assert (len(visits), Counter(o["channel"] for o in orders)) == (6, {"web": 4, "store": 2})


def test_keap_books_store_visits_as_appointments_at_the_store(tiny_world: World) -> None:
    keap = tiny_world.keap
    visits = [v for v in tiny_world.truth.files["store_visits"] if v["crm"] == "keap"]
    contacts = {c["id"]: c for c in keap["contacts"].live()}
    for visit in visits:
        row = keap["appointments"].rows[visit["id"]]
        assert (row["title"], row["location"], row["contact_id"]) == (
            "Store visit",
            visit["store"],
            visit["contact"],
        )
        assert row["user_id"] == contacts[visit["contact"]]["owner_id"]
        assert visit["account"] == contacts[visit["contact"]]["company_id"]
    assert len(visits) == len(contacts) // 4 == 10


def test_without_the_consumer_line_oracle_has_visits_and_no_orders() -> None:
    world = generate(7, "tiny", DEFAULT_ANCHOR, b2c=False)
    assert len(world.oracle["Order_c"].rows) == 0
    assert len(world.oracle["StoreVisit_c"].rows) == 4  # the visits before orders are gone
