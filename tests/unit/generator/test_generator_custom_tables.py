"""The DACH subsidiary's Dataverse custom tables and the Benelux distributor's SugarCRM
Module Builder modules: store visits and orders of their contacts, linked and owned as
the ground truth says, drawn with the consumer line and changing no other record."""

from __future__ import annotations

from collections import Counter

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.dynamics.schema_custom import CUSTOM_OPTION_SETS
from sandbox.generator import generate
from sandbox.world import World

_LINKS = {
    "dynamics": ("new_customerid", "new_accountid"),
    "sugarcrm": ("contact_id_c", "account_id_c"),
}
_OBJECTS = {
    "dynamics": ("new_storevisit", "new_order"),
    "sugarcrm": ("cstm_StoreVisits", "cstm_Orders"),
}


def _label(column: str, value: int) -> str:
    return dict(CUSTOM_OPTION_SETS[("new_order", column)])[value]


def test_visits_and_orders_are_linked_and_owned_as_the_truth_says(small_world: World) -> None:
    files = small_world.truth.files
    users = {
        "dynamics": {e["user_id"]: e["employee_id"] for e in files["dynamics_employees"]},
        "sugarcrm": {e["user_id"]: e["employee"] for e in files["sugarcrm_employees"]},
    }
    for crm, (visits, orders) in _OBJECTS.items():
        tables = getattr(small_world, crm)
        contact, account = _LINKS[crm]
        truth = files[f"{crm}_store_visits"]
        assert len(tables[visits].rows) == len(truth)
        for visit in truth:
            row = tables[visits].rows[visit["id"]]
            assert (row[contact], row[account]) == (visit["contact"], visit["account"])
        for order in files[f"{crm}_orders"]:
            row = tables[orders].rows[order["id"]]
            assert (row[contact], row[account]) == (order["contact"], order["account"])
            owner = row["ownerid"] if crm == "dynamics" else row["assigned_user_id"]
            assert users[crm][owner] == order["owner"]
            if crm == "dynamics":
                got = (_label("new_channel", row["new_channel"]), row["new_total"])
            else:
                got = (row["channel"], row["total"])
            web = {"web": "Web Shop", "store": "Store", "phone": "Phone"}[order["channel"]]
            assert got == (web, float(order["amount"]))
    # small seed 3: a third of each part's contacts order once or twice
    assert Counter(o["crm"] for o in files["dynamics_orders"] + files["sugarcrm_orders"]) == {
        "dynamics": 70,
        "sugarcrm": 73,
    }


def test_an_order_in_a_store_follows_a_visit_the_same_day(small_world: World) -> None:
    files = small_world.truth.files
    for crm in _OBJECTS:
        visits = {(v["contact"], v["at"][:10]) for v in files[f"{crm}_store_visits"]}
        in_store = [o for o in files[f"{crm}_orders"] if o["channel"] == "store"]
        assert in_store
        assert all((o["contact"], o["at"][:10]) in visits for o in in_store)


def test_without_the_consumer_line_there_are_none() -> None:
    world = generate(7, "tiny", DEFAULT_ANCHOR, b2c=False)
    for crm, objects in _OBJECTS.items():
        assert all(not getattr(world, crm)[name].rows for name in objects)
        assert not world.truth.files.get(f"{crm}_orders")
