"""Store visits: customers walking into Altamira's lab stores, kept in custom objects.

Each CRM keeps them in its own custom object (Salesforce ``Store_Visit__c``, the HubSpot
custom object ``p20261031_store_visits``, the Zoho custom module ``Store_Visits``), linked
to the customer's contact and account. Played last, with its own random stream, so adding
visits changes no other record of a world. The ground truth lists every visit
(``store_visits``: crm, object, id, contact, account, at, store).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sandbox.generator.context import Employee, Gen
from sandbox.hubspot.schema_custom import STORE_VISITS
from sandbox.hubspot.schema_custom import VISIT_TYPES as HS_VISIT_TYPES
from sandbox.salesforce.schema_custom import STORES, VISIT_TYPES
from sandbox.store import Record

__all__ = ["add_store_visits"]

# one visit per this many contacts, at least _MIN per CRM
_PER_CONTACTS = 4
_MIN = 3


def _owner(gen: Gen, crm: str, when: datetime) -> Employee:
    staff = [e for e in gen.staff if crm in e.crms and e.active_at(when)]
    return (staff or [e for e in gen.staff if crm in e.crms] or gen.staff)[0]


def _visitors(rng: random.Random, contacts: list[Record]) -> list[Record]:
    # drawn from every live contact: which records exist never depends on the corruption
    # profile, which may drop a contact's account link
    count = min(len(contacts), max(_MIN, len(contacts) // _PER_CONTACTS))
    return rng.sample(contacts, count)


def _truth(
    gen: Gen,
    crm: str,
    obj: str,
    rid: str,
    contact: str,
    account: str | None,
    at: datetime,
    store: str,
) -> None:
    gen.world.truth.add(
        "store_visits",
        {
            "crm": crm,
            "object": obj,
            "id": rid,
            "contact": contact,
            "account": account,
            "at": at.isoformat(),
            "store": store,
        },
    )


def add_store_visits(gen: Gen) -> None:
    """Visits of a quarter of each CRM's contacts (at least three), linked to their account."""
    rng = random.Random(f"altamira:{gen.world.seed}:{gen.world.scale}:store-visits")
    high = gen.anchor - timedelta(days=1)
    world = gen.world
    sf_contacts = [
        c
        for rid, c in world.salesforce["Contact"].rows.items()
        if not world.salesforce["Contact"].is_deleted(rid)
    ]
    for contact in _visitors(rng, sf_contacts):
        at = gen.at_between(max(gen.start, contact["CreatedDate"]), high)
        store, kind = rng.choice(STORES), rng.choice(VISIT_TYPES)
        owner = _owner(gen, "salesforce", at)
        values = {
            "Contact__c": contact["Id"],
            "Account__c": contact["AccountId"],
            "Visit_Date__c": at,
            "Store__c": store,
            "Visit_Type__c": kind,
            "Amount_Spent__c": round(rng.uniform(20, 900), 2),
        }
        record = gen.sf("Store_Visit__c", values, at, owner)
        record["Name"] = f"SV-{len(world.salesforce['Store_Visit__c'].rows):06d}"
        _truth(
            gen,
            "salesforce",
            "Store_Visit__c",
            record["Id"],
            contact["Id"],
            contact["AccountId"],
            at,
            store,
        )
    _hubspot(gen, rng, high)
    _zoho(gen, rng, high)


def _hubspot(gen: Gen, rng: random.Random, high: datetime) -> None:
    world = gen.world
    table = world.hubspot["contacts"]
    links = world.hubspot_associations
    contacts = []
    for rid, contact in table.rows.items():
        if table.is_deleted(rid):
            continue
        companies = sorted(links.get("contacts", rid, "companies"), key=int)
        contacts.append({**contact, "_company": companies[0] if companies else None})
    for contact in _visitors(rng, contacts):
        at = gen.at_between(max(gen.start, contact["createdate"]), high)
        store, kind = rng.choice(STORES), rng.choice(HS_VISIT_TYPES)
        owner = _owner(gen, "hubspot", at)
        values = {
            "visit_name": f"{store} visit",
            "visit_date": at,
            "store": store,
            "visit_type": kind,
            "amount_spent": round(rng.uniform(20, 900), 2),
        }
        record = gen.hs(STORE_VISITS, values, at, owner)
        links.add(STORE_VISITS, record["id"], "contacts", contact["id"])
        if contact["_company"] is not None:
            links.add(STORE_VISITS, record["id"], "companies", contact["_company"])
        _truth(
            gen,
            "hubspot",
            STORE_VISITS,
            record["id"],
            contact["id"],
            contact["_company"],
            at,
            store,
        )


def _zoho(gen: Gen, rng: random.Random, high: datetime) -> None:
    world = gen.world
    table = world.zoho["Contacts"]
    contacts = [c for rid, c in table.rows.items() if not table.is_deleted(rid)]
    for contact in _visitors(rng, contacts):
        at = gen.at_between(max(gen.start, contact["Created_Time"]), high)
        store, kind = rng.choice(STORES), rng.choice(VISIT_TYPES)
        owner = _owner(gen, "zoho", at)
        values = {
            "Name": f"{store} visit",
            "Customer": contact["id"],
            "Account": contact["Account_Name"],
            "Visited_At": at,
            "Store": store,
            "Visit_Type": kind,
            "Amount_Spent": round(rng.uniform(20, 900), 2),
        }
        record = gen.zo("Store_Visits", values, at, owner)
        _truth(
            gen,
            "zoho",
            "Store_Visits",
            record["id"],
            contact["id"],
            contact["Account_Name"],
            at,
            store,
        )
