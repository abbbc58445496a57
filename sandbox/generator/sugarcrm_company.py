"""Altamira's Benelux distributor, which sells and serves in SugarCRM.

A small team (a manager, sellers, a support agent, and the API user crmsync signs in
as), Dutch and Belgian companies, their people, leads (some converted), opportunities
with contact roles, calls, meetings, tasks and cases. A converted lead is the person of
the contact it became: it carries that contact's name, email, title and company, and its
identity. Drawn after everything else from a random stream of its own, so the other CRMs'
records are the same, byte for byte, with or without this part. Its ground truth goes to
files of its own (``sugarcrm_employees``, ``sugarcrm_identities``, ``sugarcrm_deals``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.store import Record
from sandbox.sugarcrm.schema import RELATIONSHIP
from sandbox.world import World

__all__ = ["SUGARCRM_RECORDS", "add_sugarcrm_company", "sugar_stamp"]

SUGARCRM_RECORDS = {"tiny": 120, "small": 1_200, "medium": 10_000, "large": 120_000}
_FIRST = (
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Femke",
    "Joris",
    "Lotte",
    "Luuk",
    "Noor",
    "Sem",
    "Tess",
    "Wout",
    "Jules",
    "Lien",
    "Arne",
    "Elise",
)
_LAST = (
    "de Vries",
    "Janssens",
    "Peeters",
    "Bakker",
    "Visser",
    "Maes",
    "Smit",
    "Willems",
    "Mulder",
    "Claes",
    "de Boer",
    "Wouters",
    "Dekker",
    "Goossens",
)
_STEMS = ("Delta", "Polder", "Haven", "Noord", "Schelde", "Maas", "Kempen", "Lage")
_KINDS = ("Analytica", "Diagnostics", "Biotech", "Pharma", "Labs", "Chemie")
_CITIES = (
    ("Amsterdam", "NH", "1011", "Netherlands"),
    ("Rotterdam", "ZH", "3011", "Netherlands"),
    ("Utrecht", "UT", "3511", "Netherlands"),
    ("Antwerpen", "VAN", "2000", "Belgium"),
    ("Gent", "VOV", "9000", "Belgium"),
    ("Leuven", "VBR", "3000", "Belgium"),
)
_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
_SOURCES = ("Cold Call", "Existing Customer", "Partner", "Web Site", "Trade Show", "Email")
# Sugar's ``-99`` is the instance's base currency: US dollars, as installed.
_CURRENCIES = {"-99": "USD"}
_ROLES = ("Primary Decision Maker", "Business Decision Maker", "Technical Evaluator", "Influencer")


def sugar_stamp(world: World, module: str, values: dict[str, Any], at: datetime, by: str) -> Record:
    """Insert a record with its system fields (id, dates, created/modified by)."""
    table = world.sugarcrm[module]
    row: Record = {f.name: None for f in table.schema.fields}
    row.update(values)
    row.update(
        {
            "id": world.mint("sugarcrm", module),
            "date_entered": at,
            "date_modified": at,
            "created_by": by,
            "modified_user_id": by,
        }
    )
    if "assigned_user_id" in row and row["assigned_user_id"] is None:
        row["assigned_user_id"] = by
    table.insert(row)
    return row


class _Company:
    def __init__(self, world: World, anchor: datetime) -> None:
        self.world = world
        self.rng = random.Random(f"sugarcrm:{world.seed}:{world.scale}")
        self.anchor = anchor
        self.start = anchor - timedelta(days=420)
        self.people = 0

    def at(self, low: datetime | None = None) -> datetime:
        low = low or self.start
        span = max((self.anchor - timedelta(hours=1) - low).total_seconds(), 1.0)
        return (low + timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    def person(self) -> tuple[str, str, str]:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        self.people += 1
        email = f"{first.lower()}.{last.replace(' ', '').lower()}{self.people}@klant.example"
        return first, last, email

    def identity(self, obj: str, rid: str, identity: str) -> None:
        kind = "organisation" if obj == "Accounts" else "person"  # Contacts, Leads
        row = {"crm": "sugarcrm", "object": obj, "id": rid, "kind": kind, "identity": identity}
        self.world.truth.add("sugarcrm_identities", row)

    def user(self, first: str, last: str, title: str, employee: str, admin: bool = False) -> str:
        name = f"{first.lower()}.{last.replace(' ', '').lower()}"
        row = sugar_stamp(
            self.world,
            "Users",
            {
                "user_name": name,
                "first_name": first,
                "last_name": last,
                "full_name": f"{first} {last}",
                "email1": f"{name}@altamira.example",
                "title": title,
                "department": "Benelux",
                "status": "Active",
                "is_admin": admin,
            },
            self.start,
            "1",
        )
        truth = {"crm": "sugarcrm", "user_id": row["id"], "employee": employee, "title": title}
        self.world.truth.add("sugarcrm_employees", truth)
        return str(row["id"])


def add_sugarcrm_company(world: World, anchor: datetime) -> None:
    """Fill ``world.sugarcrm`` with the distributor (see the module docstring)."""
    c = _Company(world, anchor)
    rng = c.rng
    budget = SUGARCRM_RECORDS[world.scale]
    sugar_stamp(  # the API user crmsync signs in as
        world,
        "Users",
        {
            "user_name": "crmsync.integration",
            "first_name": "crmsync",
            "last_name": "API",
            "full_name": "crmsync API",
            "status": "Active",
            "is_admin": True,
        },
        c.start,
        "1",
    )
    staff = [
        ("Sanne", "Hendriks", "Sales Manager Benelux"),
        ("Pieter", "Vermeulen", "Account Executive"),
        ("Ilse", "Jacobs", "Account Executive"),
        ("Koen", "Martens", "Support Agent"),
    ]
    sellers = [c.user(a, b, t, f"SUG-E{i + 1:03d}") for i, (a, b, t) in enumerate(staff)]
    agent = sellers.pop()
    orgs = max(4, budget // 15)
    contacts: list[Record] = []
    accounts: list[Record] = []
    person_of: dict[str, str] = {}  # contact id -> true identity
    identity_of: dict[str, str] = {}  # account id -> true identity
    for i in range(orgs):
        city = rng.choice(_CITIES)
        legal = "B.V." if city[3] == "Netherlands" else "NV"
        name = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)} {legal}"
        owner = rng.choice(sellers)
        acc = sugar_stamp(
            world,
            "Accounts",
            {
                "name": name,
                "website": f"https://www.{name.split()[0].lower()}{i}.example",
                "industry": rng.choice(["Biotechnology", "Healthcare", "Education", "Chemicals"]),
                "phone_office": f"+31 20 {rng.randint(1000000, 9999999)}",
                "billing_address_city": city[0],
                "billing_address_state": city[1],
                "billing_address_postalcode": city[2],
                "billing_address_country": city[3],
                "employees": str(rng.randint(10, 3000)),
                "annual_revenue": str(rng.randint(1, 400) * 100_000),
                "assigned_user_id": owner,
            },
            c.at(),
            owner,
        )
        accounts.append(acc)
        identity_of[acc["id"]] = f"SUG-O{i + 1:06d}"
        c.identity("Accounts", acc["id"], identity_of[acc["id"]])
        for _ in range(rng.randint(1, 3)):
            first, last, email = c.person()
            con = sugar_stamp(
                world,
                "Contacts",
                {
                    "first_name": first,
                    "last_name": last,
                    "email1": email,
                    "title": rng.choice(["Lab Manager", "Head of QA", "CTO", "Buyer"]),
                    "phone_work": f"+31 30 {rng.randint(1000000, 9999999)}",
                    "primary_address_city": city[0],
                    "primary_address_country": city[3],
                    "account_id": acc["id"],
                    "lead_source": rng.choice(_SOURCES),
                    "assigned_user_id": owner,
                },
                c.at(acc["date_entered"]),
                owner,
            )
            contacts.append(con)
            person_of[con["id"]] = f"SUG-P{c.people:06d}"
            c.identity("Contacts", con["id"], person_of[con["id"]])
    names = {acc["id"]: acc["name"] for acc in accounts}
    for _ in range(max(6, budget // 8)):
        # Every lead draws a name, a converted one too, so the records drawn after the
        # leads stay the same; a converted lead then takes its contact's.
        first, last, email = c.person()
        identity, title = f"SUG-P{c.people:06d}", "Researcher"
        owner = rng.choice(sellers)
        converted = rng.random() < 0.2 and contacts
        target = rng.choice(contacts) if converted else None
        company = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)}"
        if target is not None:
            first, last, email = target["first_name"], target["last_name"], target["email1"]
            identity, title = person_of[target["id"]], target["title"]
            company = names[target["account_id"]]
        lead = sugar_stamp(
            world,
            "Leads",
            {
                "first_name": first,
                "last_name": last,
                "email1": email,
                "title": title,
                "account_name": company,
                "status": "Converted"
                if converted
                else rng.choice(["New", "Assigned", "In Process"]),
                "lead_source": rng.choice(_SOURCES),
                "converted": bool(converted),
                "contact_id": target["id"] if target else None,
                "account_id": target["account_id"] if target else None,
                "assigned_user_id": owner,
            },
            c.at(),
            owner,
        )
        c.identity("Leads", lead["id"], identity)
    opps: list[Record] = []
    for _ in range(max(4, budget // 10)):
        acc = rng.choice(accounts)
        owner = acc["assigned_user_id"]
        stage = rng.choice(_STAGES)
        created = c.at(acc["date_entered"])
        opp = sugar_stamp(
            world,
            "Opportunities",
            {
                "name": f"{acc['name']} - {rng.choice(['LIMS', 'Service', 'Upgrade'])}",
                "account_id": acc["id"],
                "amount": float(rng.randint(5, 400) * 1000),
                "currency_id": "-99",
                "sales_stage": stage,
                "probability": 100
                if stage == "Closed Won"
                else 0
                if stage == "Closed Lost"
                else 40,
                "date_closed": (created + timedelta(days=rng.randint(20, 120))).date(),
                "assigned_user_id": owner,
            },
            created,
            owner,
        )
        opps.append(opp)
        _deal_truth(world, opp, identity_of[acc["id"]])
        people = [p for p in contacts if p["account_id"] == acc["id"]]
        for person in rng.sample(people, min(len(people), rng.randint(0, 2))):
            sugar_stamp(
                world,
                RELATIONSHIP,
                {
                    "opportunity_id": opp["id"],
                    "contact_id": person["id"],
                    "contact_role": rng.choice(_ROLES),
                },
                created,
                owner,
            )
    _activities(c, sellers, agent, contacts, opps, budget)
    world.sequences["sugarcrm:case_number"] = len(world.sugarcrm["Cases"])


def _deal_truth(world: World, opp: Record, customer_org: str) -> None:
    """A ``sugarcrm_deals`` row, as the other CRMs' deals: the amount in the opportunity's
    currency."""
    world.truth.add(
        "sugarcrm_deals",
        {
            "crm": "sugarcrm",
            "object": "Opportunities",
            "id": opp["id"],
            "customer_org": customer_org,
            "amount": f"{opp['amount']:.2f}",
            "currency": _CURRENCIES[opp["currency_id"]],
            "won": opp["sales_stage"] == "Closed Won",
            "closed": opp["sales_stage"] in ("Closed Won", "Closed Lost"),
        },
    )


def _activities(
    c: _Company,
    sellers: list[str],
    agent: str,
    contacts: list[Record],
    opps: list[Record],
    budget: int,
) -> None:
    world, rng = c.world, c.rng
    remaining = budget - sum(len(t) for t in world.sugarcrm.values())
    for _ in range(max(6, remaining)):
        kind = rng.random()
        con = rng.choice(contacts)
        owner = rng.choice(sellers)
        when = c.at(con["date_entered"])
        if kind < 0.4:
            sugar_stamp(
                world,
                "Calls",
                {
                    "name": f"Call {con['last_name']}",
                    "date_start": when,
                    "duration_hours": 0,
                    "duration_minutes": rng.choice([5, 15, 30]),
                    "direction": rng.choice(["Inbound", "Outbound"]),
                    "status": "Held",
                    "parent_type": "Contacts",
                    "parent_id": con["id"],
                    "assigned_user_id": owner,
                },
                when,
                owner,
            )
        elif kind < 0.65:
            opp = rng.choice(opps)
            sugar_stamp(
                world,
                "Meetings",
                {
                    "name": f"Demo {opp['name']}",
                    "date_start": when,
                    "duration_hours": 1,
                    "duration_minutes": 0,
                    "status": "Held",
                    "parent_type": "Opportunities",
                    "parent_id": opp["id"],
                    "assigned_user_id": owner,
                },
                when,
                owner,
            )
        elif kind < 0.88:
            sugar_stamp(
                world,
                "Tasks",
                {
                    "name": "Send quote",
                    "date_due": when + timedelta(days=3),
                    "status": rng.choice(["Completed", "Not Started"]),
                    "parent_type": "Accounts",
                    "parent_id": con["account_id"],
                    "contact_id": con["id"],
                    "assigned_user_id": owner,
                },
                when,
                owner,
            )
        else:
            closed = rng.random() < 0.6
            sugar_stamp(
                world,
                "Cases",
                {
                    "case_number": len(world.sugarcrm["Cases"]) + 1,
                    "name": rng.choice(["Instrument offline", "Login fails", "Report wrong"]),
                    "status": "Closed" if closed else "Assigned",
                    "source": rng.choice(["Web", "InboundEmail", "Internal", "Twitter"]),
                    "priority": rng.choice(["P1", "P2", "P3"]),
                    "account_id": con["account_id"],
                    "primary_contact_id": con["id"],
                    "assigned_user_id": agent,
                },
                when,
                agent,
            )
