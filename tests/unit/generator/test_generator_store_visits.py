"""Store visits in each CRM's custom object: who visited, linked as the truth says."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator.context import STORY_DAYS
from sandbox.hubspot.schema_custom import STORE_VISITS
from sandbox.world import World

OBJECTS = {"salesforce": "Store_Visit__c", "hubspot": STORE_VISITS, "zoho": "Store_Visits"}
CONTACT_OBJECTS = ("Contact", "contacts", "Contacts")


def test_a_quarter_of_each_crms_contacts_visit_a_store(small_world: World) -> None:
    """A quarter of the business contacts; then each consumer's order placed in a store
    follows a visit of its own (the consumer line comes after the visits are drawn)."""
    truth = [v for v in small_world.truth.files["store_visits"] if v["crm"] in OBJECTS]
    per_crm = Counter(v["crm"] for v in truth)
    consumers = Counter(
        r["crm"] for r in small_world.truth.files["b2c"] if r["object"] in CONTACT_OBJECTS
    )
    in_store = Counter(
        o["crm"]
        for o in small_world.truth.files["orders"]
        if o["channel"] == "store" and o["crm"] in OBJECTS
    )
    contacts = {
        "salesforce": len(small_world.salesforce["Contact"].rows),
        "hubspot": len(small_world.hubspot["contacts"].rows),
        "zoho": len(small_world.zoho["Contacts"].rows),
    }
    assert per_crm == {
        crm: max(3, (n - consumers[crm]) // 4) + in_store[crm] for crm, n in contacts.items()
    }
    # small seed 3: 29, 153 and 22 business visits, and 13, 5 and 4 before a store order
    assert per_crm == {"salesforce": 42, "hubspot": 158, "zoho": 26}
    for crm, obj in OBJECTS.items():
        assert len(getattr(small_world, crm)[obj].rows) == per_crm[crm]


def test_each_visit_is_linked_to_its_visitor_and_account(tiny_world: World) -> None:
    links = tiny_world.hubspot_associations
    for visit in tiny_world.truth.files["store_visits"]:
        crm, rid = visit["crm"], visit["id"]
        if crm not in OBJECTS:
            continue  # Keap's and Oracle's: test_generator_shop_keap_oracle.py
        record = getattr(tiny_world, crm)[OBJECTS[crm]].rows[rid]
        if crm == "salesforce":
            got = (record["Contact__c"], record["Account__c"], record["Store__c"])
        elif crm == "zoho":
            got = (record["Customer"], record["Account"], record["Store"])
        else:
            contacts = set(links.get(STORE_VISITS, rid, "contacts"))
            companies = set(links.get(STORE_VISITS, rid, "companies"))
            got = (contacts.pop(), companies.pop() if companies else None, record["store"])
        assert got == (visit["contact"], visit["account"], visit["store"])
        at = datetime.fromisoformat(visit["at"])
        assert DEFAULT_ANCHOR - timedelta(days=STORY_DAYS) <= at < DEFAULT_ANCHOR
