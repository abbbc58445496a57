"""The individual churn operations, each the way its CRM really does it.

Salesforce deletes are soft (``IsDeleted`` true, ``SystemModstamp`` bumped) and merges set
the loser's ``MasterRecordId``; HubSpot archiving leaves ``hs_lastmodifieddate`` alone and
merging purges the loser; Zoho deletes go to the recycle bin or are permanent.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sandbox.generator.activities import hs_activity, sf_task, zoho_activity
from sandbox.generator.context import Employee, Gen
from sandbox.generator.customers import person_record
from sandbox.generator.population import new_org, new_person
from sandbox.store import Record

__all__ = ["Change", "ChurnContext"]

Change = tuple[str, str, str, str]
_TITLES = ("Lab Director", "Senior Scientist", "Buyer", "Head of QC", "Operations Manager")
_UPDATES: dict[tuple[str, str], Any] = {
    ("salesforce", "Contact"): lambda r: {"Title": r.choice(_TITLES)},
    ("salesforce", "Lead"): lambda r: {"Status": "Working - Contacted", "Rating": "Warm"},
    ("salesforce", "Account"): lambda r: {"NumberOfEmployees": r.randrange(10, 5000)},
    ("salesforce", "Task"): lambda r: {"Priority": r.choice(("High", "Normal", "Low"))},
    ("hubspot", "contacts"): lambda r: {"jobtitle": r.choice(_TITLES)},
    ("hubspot", "companies"): lambda r: {"numberofemployees": r.randrange(10, 5000)},
    ("hubspot", "deals"): lambda r: {"amount": round(r.uniform(500, 20000), 2)},
    ("zoho", "Contacts"): lambda r: {"Title": r.choice(_TITLES)},
    ("zoho", "Leads"): lambda r: {"Lead_Status": r.choice(("Contacted", "Contact in Future"))},
    ("zoho", "Deals"): lambda r: {"Amount": round(r.uniform(2000, 80000), 2)},
}
_DELETABLE = {
    "salesforce": ("Task", "Lead", "Contact"),
    "hubspot": ("contacts", "deals", "notes", "calls"),
    "zoho": ("Leads", "Tasks", "Calls"),
}
_MERGEABLE = {
    "salesforce": ("Contact", "Lead", "Account"),
    "hubspot": ("contacts", "companies"),
    "zoho": ("Contacts", "Leads", "Accounts"),
}
_PERSON_OBJECT = {"salesforce": "Lead", "hubspot": "contacts", "zoho": "Leads"}


class ChurnContext:
    """The world plus what churn needs to act as the company's staff."""

    def __init__(self, gen: Gen, rng: random.Random) -> None:
        self.gen = gen
        self.world = gen.world
        self.rng = rng
        self._identity_of: dict[tuple[str, str, str], str] = {}
        self._live_cache: dict[tuple[str, str], tuple[int, list[str]]] = {}
        for row in self.world.truth.files.get("identities", []):
            self._identity_of[(row["crm"], row["object"], row["id"])] = row["identity"]

    def _table(self, crm: str, obj: str):
        return getattr(self.world, crm)[obj]

    def _live(self, crm: str, obj: str) -> list[str]:
        table = self._table(crm, obj)
        cached = self._live_cache.get((crm, obj))
        if cached and cached[0] == table.version:
            return cached[1]
        live = [rid for rid in table.rows if rid not in table.deleted_at]
        self._live_cache[(crm, obj)] = (table.version, live)
        return live

    def _actor(self, crm: str, when: datetime) -> Employee:
        return self.rng.choice([e for e in self.gen.staff if crm in e.crms and e.active_at(when)])

    def _stamp(self, crm: str, record: Record, who: Employee) -> None:
        if crm == "salesforce":
            record["LastModifiedById"] = who.sf_user
        elif crm == "zoho":
            record["Modified_By"] = who.zoho_user

    # -- operations: each returns the changes made, or [] if nothing fitted ---------------
    def update(self, crm: str, when: datetime) -> list[Change]:
        objs = [o for c, o in _UPDATES if c == crm and self._live(c, o)]
        if not objs:
            return []
        obj = self.rng.choice(objs)
        rid = self.rng.choice(self._live(crm, obj))
        table = self._table(crm, obj)
        changes = _UPDATES[(crm, obj)](self.rng)
        stamp: Record = {}
        self._stamp(crm, stamp, self._actor(crm, when))
        # one write with its author, so the CRM's history records who changed it
        table.update(rid, {**changes, **stamp}, when)
        return [(crm, obj, rid, "update")]

    def create(self, crm: str, when: datetime) -> list[Change]:
        gen, rng = self.gen, self.rng
        who = self._actor(crm, when)
        if rng.random() < 0.5:
            self.world.sequences["identity:P"] += 1
            number = self.world.sequences["identity:P"]
            self.world.sequences["identity:O"] += 1
            org = new_org(rng, self.world.sequences["identity:O"], iberian=crm == "zoho")
            person = new_person(rng, number, org, names=gen.names)
            obj = _PERSON_OBJECT[crm]
            extra: dict[str, Any] = {}
            if crm == "salesforce":
                extra = {"LeadSource": "Web", "Status": "Open - Not Contacted"}
            record = person_record(gen, person, crm, obj, when, who, extra, allow_duplicate=False)
            rid = record[self._table(crm, obj).schema.id_field]
            self._identity_of[(crm, obj, rid)] = person.identity
            return [(crm, obj, rid, "create")]
        if crm == "salesforce":
            ref = sf_task(gen, when, who, "Call", "Call back", call_type="Outbound")
        elif crm == "hubspot":
            contacts = self._live("hubspot", "contacts")
            links = {"contacts": rng.choice(contacts) if contacts else None}
            ref = hs_activity(gen, "calls", when, who, "Call back", links)
        else:
            ref = zoho_activity(gen, "Calls", when, who, "Llamada")
        return [(*ref, "create")]

    def delete(self, crm: str, when: datetime) -> list[Change]:
        objs = [o for o in _DELETABLE[crm] if self._live(crm, o)]
        if not objs:
            return []
        obj = self.rng.choice(objs)
        rid = self.rng.choice(self._live(crm, obj))
        table = self._table(crm, obj)
        if crm == "salesforce":
            table.update(rid, {"IsDeleted": True}, when)
            self._stamp(crm, table.rows[rid], self._actor(crm, when))
            table.soft_delete(rid, when)
        elif crm == "hubspot":
            table.soft_delete(rid, when)  # archiving does not touch hs_lastmodifieddate
        elif self.rng.random() < 0.7:
            table.soft_delete(rid, when)  # Zoho recycle bin
        else:
            table.purge(rid, when)
        return [(crm, obj, rid, "delete")]

    def merge(self, crm: str, when: datetime) -> list[Change]:
        """Merge two records of one true identity (CRMs' dedupe tools find real pairs)."""
        pairs = []
        for obj in _MERGEABLE[crm]:
            seen: dict[str, str] = {}
            rows = self._table(crm, obj).rows
            for rid in self._live(crm, obj):
                if rows[rid].get("IsConverted"):
                    continue  # Salesforce refuses to merge converted leads
                identity = self._identity_of.get((crm, obj, rid))
                if identity is None:
                    continue
                if identity in seen:
                    pairs.append((obj, seen[identity], rid))
                else:
                    seen[identity] = rid
        if not pairs:
            return []
        obj, winner, loser = self.rng.choice(pairs)
        table = self._table(crm, obj)
        who = self._actor(crm, when)
        if crm == "salesforce":
            table.update(loser, {"IsDeleted": True, "MasterRecordId": winner}, when)
            self._stamp(crm, table.rows[loser], who)
            table.soft_delete(loser, when)
            table.update(winner, {}, when)
        elif crm == "hubspot":
            table.purge(loser, when)
            self._move_associations(obj, loser, winner)
            merged = table.rows[winner].get("hs_merged_object_ids")
            ids = f"{merged};{loser}" if merged else loser
            table.update(winner, {"hs_merged_object_ids": ids}, when)
        else:
            table.purge(loser, when)
            table.update(winner, {}, when)
        self._stamp(crm, table.rows[winner], who)
        return [(crm, obj, loser, "merge"), (crm, obj, winner, "merge_winner")]

    def _move_associations(self, obj: str, loser: str, winner: str) -> None:
        """HubSpot keeps the merged record's associations on the surviving record."""
        assoc = self.world.hubspot_associations
        for (a, b), by_id in list(assoc.links.items()):
            if a != obj:
                continue
            for other in list(by_id.get(loser, {})):
                if other != winner:
                    # The winner keeps its own primary company; moved links are plain.
                    assoc.add(obj, winner, b, other)
        assoc.drop_record(obj, loser)
