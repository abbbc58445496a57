"""Store visits keep happening: churn of the custom objects between two syncs.

``apply_churn(..., store_visits=N)`` makes ``N`` changes to the store-visit custom objects
(Salesforce ``Store_Visit__c``, the HubSpot custom object, the Zoho custom module): about
half are new visits of a live contact, a third edits (the amount spent, the visit type),
the rest deletes (Salesforce ``IsDeleted``, HubSpot archived, Zoho's recycle bin). Drawn
from a random stream of their own, after every other change, so the rest of a churn is
the same with or without them. Each is listed in the churn report and the ground truth
(``churn``), and a new visit also in ``store_visits``.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sandbox.generator.context import Employee, Gen
from sandbox.hubspot.schema_custom import STORE_VISITS
from sandbox.hubspot.schema_custom import VISIT_TYPES as HS_VISIT_TYPES
from sandbox.salesforce.schema_custom import STORES, VISIT_TYPES

__all__ = ["VISIT_OBJECTS", "StoreVisitChurn"]

VISIT_OBJECTS = {"salesforce": "Store_Visit__c", "hubspot": STORE_VISITS, "zoho": "Store_Visits"}
_CONTACTS = {"salesforce": "Contact", "hubspot": "contacts", "zoho": "Contacts"}
_OPS = (("create", 0.5), ("update", 0.33), ("delete", 0.17))
Change = tuple[str, str, str, str]


class StoreVisitChurn:
    """Creates, edits and deletes store visits in the three CRMs."""

    def __init__(self, gen: Gen, seed: int) -> None:
        self.gen = gen
        self.world = gen.world
        self.rng = random.Random(f"churn:{seed}:store-visits")

    def _live(self, crm: str, obj: str) -> list[str]:
        table = getattr(self.world, crm)[obj]
        return [rid for rid in table.rows if rid not in table.deleted_at]

    def _owner(self, crm: str, when: datetime) -> Employee:
        staff = [e for e in self.gen.staff if crm in e.crms and e.active_at(when)]
        return self.rng.choice(staff or [e for e in self.gen.staff if crm in e.crms])

    def change(self, when: datetime) -> list[Change]:
        """One change in a CRM drawn by its number of contacts; [] if none fitted."""
        rng = self.rng
        op = rng.choices([o for o, _ in _OPS], weights=[w for _, w in _OPS])[0]
        crm = rng.choice(("salesforce", "salesforce", "hubspot", "hubspot", "zoho"))
        obj = VISIT_OBJECTS[crm]
        visits = self._live(crm, obj)
        if op == "create" or not visits:
            return self._create(crm, when)
        rid = rng.choice(visits)
        table = getattr(self.world, crm)[obj]
        if op == "update":
            table.update(rid, self._edit(crm), when)
            who = self._owner(crm, when)
            if crm == "salesforce":
                table.rows[rid]["LastModifiedById"] = who.sf_user
            elif crm == "zoho":
                table.rows[rid]["Modified_By"] = who.zoho_user
            return [(crm, obj, rid, "update")]
        if crm == "salesforce":
            table.update(rid, {"IsDeleted": True}, when)
        table.soft_delete(rid, when)
        return [(crm, obj, rid, "delete")]

    def _edit(self, crm: str) -> dict[str, Any]:
        spent = round(self.rng.uniform(20, 900), 2)
        if crm == "hubspot":
            return {"amount_spent": spent, "visit_type": self.rng.choice(HS_VISIT_TYPES)}
        if crm == "salesforce":
            return {"Amount_Spent__c": spent, "Visit_Type__c": self.rng.choice(VISIT_TYPES)}
        return {"Amount_Spent": spent, "Visit_Type": self.rng.choice(VISIT_TYPES)}

    def _create(self, crm: str, when: datetime) -> list[Change]:
        contacts = self._live(crm, _CONTACTS[crm])
        if not contacts:
            return []
        rng, gen = self.rng, self.gen
        contact = getattr(self.world, crm)[_CONTACTS[crm]].rows[rng.choice(contacts)]
        store, spent = rng.choice(STORES), round(rng.uniform(20, 900), 2)
        owner = self._owner(crm, when)
        if crm == "salesforce":
            values = {
                "Contact__c": contact["Id"],
                "Account__c": contact["AccountId"],
                "Visit_Date__c": when,
                "Store__c": store,
                "Visit_Type__c": rng.choice(VISIT_TYPES),
                "Amount_Spent__c": spent,
            }
            record = gen.sf("Store_Visit__c", values, when, owner)
            record["Name"] = f"SV-{len(self.world.salesforce['Store_Visit__c'].rows):06d}"
            rid, person, account = record["Id"], contact["Id"], contact["AccountId"]
        elif crm == "hubspot":
            values = {
                "visit_name": f"{store} visit",
                "visit_date": when,
                "store": store,
                "visit_type": rng.choice(HS_VISIT_TYPES),
                "amount_spent": spent,
            }
            record = gen.hs(STORE_VISITS, values, when, owner)
            rid, person = record["id"], contact["id"]
            links = self.world.hubspot_associations
            links.add(STORE_VISITS, rid, "contacts", person)
            companies = sorted(links.get("contacts", person, "companies"), key=int)
            account = companies[0] if companies else None
            if account is not None:
                links.add(STORE_VISITS, rid, "companies", account)
        else:
            values = {
                "Name": f"{store} visit",
                "Customer": contact["id"],
                "Account": contact["Account_Name"],
                "Visited_At": when,
                "Store": store,
                "Visit_Type": rng.choice(VISIT_TYPES),
                "Amount_Spent": spent,
            }
            record = gen.zo("Store_Visits", values, when, owner)
            rid, person, account = record["id"], contact["id"], contact["Account_Name"]
        self.world.truth.add(
            "store_visits",
            {
                "crm": crm,
                "object": VISIT_OBJECTS[crm],
                "id": rid,
                "contact": person,
                "account": account,
                "at": when.isoformat(),
                "store": store,
            },
        )
        return [(crm, VISIT_OBJECTS[crm], rid, "create")]
