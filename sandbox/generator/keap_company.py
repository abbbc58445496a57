"""Altamira's web shop and small-business desk, which sell in Keap.

Keap holds the consumer and small-lab side of the business: the shop's orders, a few
resellers' companies, their people and the shop's consumers, the desk's opportunities,
notes, tasks and appointments. Two marketing employees and a call-centre agent work here
as well as in HubSpot and Salesforce (the same employees, ``keap_employees``), next to a
Keap-only inside seller and the admin who authorised crmsync. Some customers also buy
through the main company: their Keap contacts carry a Salesforce contact's name, e-mail
and person identity (``keap_identities``, with each record's kind); the opportunities and
orders, won or not, are in ``keap_deals``. Drawn after everything else from a random
stream of its own, so the other CRMs' records are the same with or without this part.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.store import Record
from sandbox.world import World

__all__ = ["KEAP_RECORDS", "STAGES", "add_keap_company", "keap_stamp"]

KEAP_RECORDS = {"tiny": 120, "small": 1_200, "medium": 10_000, "large": 120_000}
# Keap's default sales pipeline: (stage id, name, probability)
STAGES = (
    (1, "New Opportunity", 10),
    (2, "Qualified", 30),
    (3, "Proposal Sent", 60),
    (4, "Negotiation", 80),
    (5, "Won", 100),
    (6, "Lost", 0),
)
_FIRST = ("Amelia", "Noah", "Isla", "Leo", "Ava", "Oscar", "Mia", "Jack", "Zoe", "Ethan")
_LAST = ("Hughes", "Patel", "Reid", "Foster", "Kaur", "Bennett", "Shaw", "Lloyd", "Quinn")
_SHOPS = ("LabSupply", "BenchTop", "PipetteHub", "SampleCare", "MicroKit", "VialWorks")
_CITIES = (
    ("Bristol", "ENG", "BS1", "GBR"),
    ("Leeds", "ENG", "LS1", "GBR"),
    ("Cork", "CO", "T12", "IRL"),
    ("Glasgow", "SCT", "G1", "GBR"),
)
_SOURCES = ("WEBFORM", "LANDINGPAGE", "MANUAL", "IMPORT", "API")
_NOTE_TYPES = ("Call", "Email", "Other", "Letter")
# what each identity row of the ground truth is, as the other CRMs' rows say it
_KINDS = {"contacts": "person", "companies": "organisation", "users": "employee"}
_TASK_TYPES = ("Call", "Email", "Other")


def keap_stamp(world: World, name: str, values: dict[str, Any], at: datetime) -> Record:
    """Insert a record with its id and dates."""
    table = world.keap[name]
    row: Record = {f.name: None for f in table.schema.fields}
    row.update(values)
    row.update({"id": world.mint("keap", name), "date_created": at, "last_updated": at})
    table.insert(row)
    return row


class _Shop:
    def __init__(self, world: World, anchor: datetime) -> None:
        self.world = world
        self.rng = random.Random(f"keap:{world.seed}:{world.scale}")
        self.anchor = anchor
        self.start = anchor - timedelta(days=365)
        self.people = 0

    def at(self, low: datetime | None = None) -> datetime:
        low = low or self.start
        span = max((self.anchor - timedelta(hours=1) - low).total_seconds(), 1.0)
        return (low + timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    def identity(self, obj: str, rid: str, identity: str) -> None:
        kind = _KINDS[obj]
        row = {"crm": "keap", "object": obj, "id": rid, "kind": kind, "identity": identity}
        self.world.truth.add("keap_identities", row)

    def user(self, first: str, last: str, email: str, employee: str, admin: bool = False) -> str:
        values = {
            "given_name": first,
            "family_name": last,
            "email_address": email,
            "status": "Active",
            "admin": admin,
        }
        row = keap_stamp(self.world, "users", values, self.start - timedelta(days=30))
        truth = {"crm": "keap", "user_id": row["id"], "employee": employee, "email": email}
        self.world.truth.add("keap_employees", truth)
        self.identity("users", row["id"], employee)
        return str(row["id"])


def _staff(shop: _Shop) -> list[str]:
    """The Keap users; returns the sellers' ids (the admin sells nothing)."""
    employees = shop.world.truth.files.get("employees", [])
    shop.user("Web", "Admin", "webshop.admin@altamira.example", "KEA-E001", admin=True)
    crossing = [e for e in employees if e.get("team") == "marketing" and e.get("active")][:2]
    crossing += [e for e in employees if e.get("team") == "call_centre" and e.get("active")][:1]
    sellers = []
    for emp in crossing:  # the same people as in HubSpot and Salesforce
        first, _, last = str(emp["name"]).partition(" ")
        sellers.append(shop.user(first, last, emp["email"], emp["employee_id"]))
    sellers.append(shop.user("Priya", "Nair", "priya.nair@altamira.example", "KEA-E002"))
    return sellers


def _crossing_people(world: World, count: int) -> list[tuple[Record, str]]:
    """Salesforce contacts (with their person identity) who also buy in the web shop."""
    ids = {
        r["id"]: r["identity"]
        for r in world.truth.files.get("identities", [])
        if r["crm"] == "salesforce" and r["object"] == "Contact"
    }
    out = []
    for contact in world.salesforce["Contact"].live():
        person = ids.get(contact["Id"])
        if person and contact.get("Email"):
            out.append((contact, person))
        if len(out) >= count:
            break
    return out


def add_keap_company(world: World, anchor: datetime) -> None:
    """Fill ``world.keap`` with the web shop and the desk (see the module docstring)."""
    shop = _Shop(world, anchor)
    rng = shop.rng
    budget = KEAP_RECORDS[world.scale]
    sellers = _staff(shop)
    companies: list[Record] = []
    for i in range(max(3, budget // 20)):
        city = rng.choice(_CITIES)
        name = f"{rng.choice(_SHOPS)} {rng.choice(['Ltd', 'Labs', 'Supplies'])} {i + 1}"
        row = keap_stamp(
            world,
            "companies",
            {
                "company_name": name,
                "website": f"https://www.{name.split()[0].lower()}{i + 1}.example",
                "email": f"orders@{name.split()[0].lower()}{i + 1}.example",
                "phone": f"+44 117 {rng.randint(100000, 999999)}",
                "locality": city[0],
                "region": city[1],
                "postal_code": city[2],
                "country_code": city[3],
            },
            shop.at(),
        )
        companies.append(row)
        shop.identity("companies", row["id"], f"KEA-O{i + 1:06d}")
    crossing = _crossing_people(world, max(2, budget // 60))
    contacts: list[Record] = []
    for i in range(max(10, budget * 35 // 100)):
        company = rng.choice(companies) if rng.random() < 0.3 else None
        if i < len(crossing):
            sf, identity = crossing[i]
            first, last, email = sf.get("FirstName"), sf["LastName"], sf["Email"]
        else:
            shop.people += 1
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first.lower()}.{last.lower()}{shop.people}@mail.example"
            identity = f"KEA-P{shop.people:06d}"
        city = rng.choice(_CITIES)
        row = keap_stamp(
            world,
            "contacts",
            {
                "given_name": first,
                "family_name": last,
                "email": email,
                "phone": f"+44 7700 {rng.randint(100000, 999999)}",
                "job_title": "Lab Technician" if company else None,
                "company_id": company["id"] if company else None,
                "owner_id": rng.choice(sellers),
                "locality": city[0],
                "region": city[1],
                "postal_code": city[2],
                "country_code": city[3],
                "source_type": rng.choice(_SOURCES),
            },
            shop.at(company["date_created"] if company else None),
        )
        contacts.append(row)
        shop.identity("contacts", row["id"], identity)
    _pipeline(shop, sellers, contacts, budget)


def _pipeline(shop: _Shop, sellers: list[str], contacts: list[Record], budget: int) -> None:
    world, rng = shop.world, shop.rng
    for _ in range(max(4, budget // 20)):
        con = rng.choice(contacts)
        stage_id, stage, probability = rng.choice(STAGES)
        created = shop.at(con["date_created"])
        amount = rng.randint(2, 120) * 50
        opportunity = keap_stamp(
            world,
            "opportunities",
            {
                "opportunity_title": f"{con['family_name']} - lab kit",
                "contact_id": con["id"],
                "user_id": con["owner_id"],
                "stage_id": stage_id,
                "stage_name": stage,
                "probability": probability,
                "projected_revenue_low": float(amount * 8 // 10),
                "projected_revenue_high": float(amount),
                "estimated_close_date": created + timedelta(days=rng.randint(10, 60)),
            },
            created,
        )
        _deal_truth(world, "opportunities", opportunity, stage in ("Won", "Lost"), stage == "Won")
    activities = {"notes": budget // 12, "tasks": budget // 10, "appointments": budget // 20}
    for name, count in activities.items():
        for _ in range(max(3, count)):
            con = rng.choice(contacts)
            when = shop.at(con["date_created"])
            user = rng.choice(sellers)
            if name == "notes":
                values: dict[str, Any] = {
                    "title": "Call notes",
                    "body": "Asked about reagent pricing.",
                    "type": rng.choice(_NOTE_TYPES),
                }
            elif name == "tasks":
                done = rng.random() < 0.6
                values = {
                    "title": "Follow up order",
                    "type": rng.choice(_TASK_TYPES),
                    "due_date": when + timedelta(days=2),
                    "completed": done,
                    "completion_date": when + timedelta(days=1) if done else None,
                }
            else:
                values = {
                    "title": "Product demo",
                    "location": "Video call",
                    "start_date": when + timedelta(days=3),
                    "end_date": when + timedelta(days=3, minutes=45),
                }
            keap_stamp(world, name, {**values, "contact_id": con["id"], "user_id": user}, when)
    remaining = budget - sum(len(t) for t in world.keap.values())
    for _ in range(max(5, remaining)):
        con = rng.choice(contacts)
        when = shop.at(con["date_created"])
        paid = rng.random() < 0.85
        order = keap_stamp(
            world,
            "orders",
            {
                "title": f"Web order {con['family_name']}",
                "status": "PAID" if paid else "UNPAID",
                "total": float(rng.randint(20, 900)),
                "contact_id": con["id"],
                "order_date": when,
                "source_type": "ONLINE",
            },
            when,
        )
        _deal_truth(world, "orders", order, paid, paid)


def _deal_truth(world: World, obj: str, row: Record, closed: bool, won: bool) -> None:
    """A ``keap_deals`` row: an opportunity, or an order (won when paid), in the account's
    one currency (the connector's ``currency``, USD by default)."""
    amount = row["projected_revenue_high"] if obj == "opportunities" else row["total"]
    world.truth.add(
        "keap_deals",
        {
            "crm": "keap",
            "object": obj,
            "id": row["id"],
            "amount": f"{amount:.2f}",
            "currency": "USD",
            "won": won,
            "closed": closed,
        },
    )
