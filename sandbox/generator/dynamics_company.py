"""Altamira's DACH subsidiary, which sells and serves in Microsoft Dynamics 365.

Its sales team (a manager, account executives) and service agents have Dynamics users;
the two sales managers who oversee Europe already work in the other CRMs and have a
Dynamics user too (the same employee ids). Its customers are German, Austrian and Swiss
companies and their people, and a few companies whose people Salesforce already knows
(customers crossing systems): their Dynamics copies carry the same identity.

Drawn after everything else from a random stream of its own, so the other three CRMs'
records are the same, byte for byte, with or without this part. Its ground truth goes to
files of its own (``dynamics_employees``, ``dynamics_identities``, ``dynamics_deals``),
which the Dynamics tests compare against.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.dynamics.schema import OPTION_SETS, VERSION_SEQUENCE
from sandbox.generator.dynamics_names import _CITIES, _FIRST, _LAST, _PRODUCTS, _STEMS, _SUFFIX
from sandbox.generator.dynamics_service import add_service_and_activities
from sandbox.generator.dynamics_teams import add_teams, add_user_settings
from sandbox.store import Record
from sandbox.world import World

__all__ = ["DYNAMICS_RECORDS", "add_dynamics_company", "stamp"]

# Records the subsidiary holds per scale (activities are about 60% of them).
DYNAMICS_RECORDS = {"tiny": 150, "small": 1_500, "medium": 12_000, "large": 150_000}


def stamp(world: World, table: str, values: dict[str, Any], at: datetime, by: str) -> Record:
    """Insert a row with its system columns (id, version, created/modified on and by)."""
    tbl = world.dynamics[table]
    rid = world.mint("dynamics", table)
    world.sequences[VERSION_SEQUENCE] += 1
    row: Record = {f.name: None for f in tbl.schema.fields}
    row.update(values)
    row.update(
        {
            tbl.schema.id_field: rid,
            "versionnumber": world.sequences[VERSION_SEQUENCE],
            "createdon": at,
            "modifiedon": at,
            "createdby": by,
            "modifiedby": by,
        }
    )
    if "ownerid" in row and row.get("ownerid") is None:
        row["ownerid"] = by
    tbl.insert(row)
    return row


class _Builder:
    def __init__(self, world: World, rng: random.Random, anchor: datetime) -> None:
        self.world = world
        self.rng = rng
        self.anchor = anchor
        self.start = anchor - timedelta(days=540)
        self.sellers: list[str] = []
        self.agents: list[str] = []

    def at(self, low: datetime | None = None, high: datetime | None = None) -> datetime:
        low = low or self.start
        high = high or self.anchor - timedelta(hours=1)
        span = max((high - low).total_seconds(), 1.0)
        return (low + timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    def truth(self, name: str, row: dict[str, Any]) -> None:
        self.world.truth.add(name, row)

    def user(
        self,
        first: str,
        last: str,
        email: str,
        title: str,
        employee: str,
        manager: str | None,
        team: str,
    ) -> str:
        row = stamp(
            self.world,
            "systemuser",
            {
                "firstname": first,
                "lastname": last,
                "fullname": f"{first} {last}",
                "internalemailaddress": email,
                "domainname": email,
                "title": title,
                "isdisabled": False,
                "accessmode": 0,
                "parentsystemuserid": manager,
                "businessunitname": "Altamira DACH",
            },
            self.start - timedelta(days=30),
            manager or "",
        )
        uid = row["systemuserid"]
        self.truth(
            "dynamics_employees",
            {"employee_id": employee, "user_id": uid, "team": team, "email": email},
        )
        self.truth(
            "dynamics_identities",
            {
                "crm": "dynamics",
                "object": "systemuser",
                "id": uid,
                "kind": "employee",
                "identity": employee,
            },
        )
        return uid


def _staff(b: _Builder, scale: str) -> str:
    """The Dynamics users; returns the integration user's id (the API's caller)."""
    world = b.world
    app = stamp(
        world,
        "systemuser",
        {
            "firstname": "# crmsync",
            "lastname": "integration",
            "fullname": "# crmsync integration",
            "internalemailaddress": None,
            "domainname": "crmsync@altamira.example",
            "isdisabled": False,
            "accessmode": 4,
            "businessunitname": "Altamira DACH",
        },
        b.start - timedelta(days=31),
        "",
    )
    app_id = app["systemuserid"]
    world.dynamics["systemuser"].rows[app_id]["createdby"] = app_id
    managers = [e for e in _employees(world) if e.get("role") == "manager"][:2]
    boss = None
    for emp in managers:  # Europe's sales managers also work in Dynamics
        first, _, last = emp["name"].partition(" ")
        uid = b.user(
            first, last, emp["email"], "Sales Manager", emp["employee_id"], None, emp["team"]
        )
        boss = boss or uid
    sellers = {"tiny": 3, "small": 5, "medium": 12, "large": 40}[scale]
    agents = {"tiny": 2, "small": 3, "medium": 6, "large": 20}[scale]
    for i in range(sellers + agents):
        first, last = b.rng.choice(_FIRST), b.rng.choice(_LAST)
        email = f"{first}.{last}.{i}@altamira.de".lower().replace("ü", "ue").replace("ö", "oe")
        seller = i < sellers
        uid = b.user(
            first,
            last,
            email,
            "Account Executive" if seller else "Service Agent",
            f"D{i + 1:05d}",
            boss,
            "dach_sales" if seller else "dach_service",
        )
        (b.sellers if seller else b.agents).append(uid)
    return app_id


def _employees(world: World) -> list[dict[str, Any]]:
    return list(world.truth.files.get("employees", []))


def _crossing_people(world: World, count: int) -> list[tuple[Record, str, str]]:
    """Salesforce contacts (with their person and organisation identities) whose company
    also buys through the DACH subsidiary."""
    ids = {
        (r["object"], r["id"]): r["identity"]
        for r in world.truth.files.get("identities", [])
        if r["crm"] == "salesforce"
    }
    out = []
    for contact in world.salesforce["Contact"].live():
        person = ids.get(("Contact", contact["Id"]))
        org = ids.get(("Account", contact.get("AccountId") or ""))
        if person and org and contact.get("Email"):
            out.append((contact, person, org))
        if len(out) >= count:
            break
    return out


def _domain(website: str) -> str:
    """``example.com`` from ``https://www.example.com`` or ``www.example.com``."""
    host = website.split("://")[-1].split("/")[0]
    return host.removeprefix("www.")


def add_dynamics_company(world: World, anchor: datetime) -> None:
    """Fill ``world.dynamics`` with the subsidiary (see the module docstring)."""
    b = _Builder(world, random.Random(f"dynamics:{world.seed}:{world.scale}"), anchor)
    budget = DYNAMICS_RECORDS[world.scale]
    app_id = _staff(b, world.scale)
    rng = b.rng
    products = [
        stamp(world, "product", {"name": n, "productnumber": c}, b.start, app_id)
        for n, c, _ in _PRODUCTS
    ]
    roles = {
        name: stamp(world, "connectionrole", {"name": name, "category": 1}, b.start, app_id)[
            "connectionroleid"
        ]
        for name in ("Decision Maker", "Influencer", "Technical Buyer")
    }
    campaigns = [
        stamp(
            world,
            "campaign",
            {
                "name": f"Analytica {y}",
                "actualstart": date(y, 3, 24),
                "actualend": date(y, 3, 27),
                "typecode": 3,
            },
            datetime(y, 1, 10, tzinfo=UTC),
            b.sellers[0],
        )
        for y in (anchor.year - 1, anchor.year)
        if date(y, 3, 24) < anchor.date()
    ]
    orgs = max(4, budget // 20)
    crossing = _crossing_people(world, max(2, orgs // 8))
    accounts: list[tuple[Record, str]] = []
    for i in range(orgs):
        city = rng.choice(_CITIES)
        phone = f"+49 89 {rng.randint(1000000, 9999999)}"
        site: dict[str, Any] = {
            "address1_city": city[0],
            "address1_stateorprovince": city[1],
            "address1_postalcode": city[2],
            "address1_country": city[3],
        }
        if i < len(crossing):
            # A customer Salesforce knows, buying from the subsidiary: the same site (name,
            # website, telephone, address), so one organisation in the truth is one site,
            # as everywhere else in the company (branches in other cities are others).
            sf_contact, _, org_identity = crossing[i]
            sf_account = world.salesforce["Account"].rows[sf_contact["AccountId"]]
            name, website, phone = sf_account["Name"], sf_account["Website"], sf_account["Phone"]
            site = {
                "address1_line1": sf_account["BillingStreet"],
                "address1_city": sf_account["BillingCity"],
                "address1_stateorprovince": sf_account["BillingState"],
                "address1_postalcode": sf_account["BillingPostalCode"],
                "address1_country": sf_account["BillingCountry"],
            }
        else:
            name = f"{rng.choice(_STEMS)} {rng.choice(_LAST)} {rng.choice(_SUFFIX)}"
            org_identity = f"DO{i + 1:06d}"
            website = f"https://www.{name.split()[0].lower()}.example"
        owner = rng.choice(b.sellers)
        acc = stamp(
            world,
            "account",
            {
                "name": name,
                "websiteurl": website,
                "telephone1": phone,
                **site,
                "industrycode": rng.choice([7, 12, 13, 17]),
                "numberofemployees": rng.randint(20, 5000),
                "revenue": float(rng.randint(1, 500) * 100_000),
                "ownerid": owner,
            },
            b.at(),
            owner,
        )
        accounts.append((acc, org_identity))
        b.truth(
            "dynamics_identities",
            {
                "crm": "dynamics",
                "object": "account",
                "id": acc["accountid"],
                "kind": "organisation",
                "identity": org_identity,
            },
        )
    contacts: list[Record] = []
    for i in range(orgs * 2):
        acc, _ = accounts[i % len(accounts)]
        if i < len(crossing):
            sf, person, _ = crossing[i]
            first, last, email = sf.get("FirstName"), sf["LastName"], sf["Email"]
        else:
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first[0]}.{last}{i}@{_domain(acc['websiteurl'])}".lower()
            person = f"DP{i + 1:06d}"
        c = stamp(
            world,
            "contact",
            {
                "firstname": first,
                "lastname": last,
                "fullname": f"{first or ''} {last}".strip(),
                "jobtitle": rng.choice(["Laborleiter", "Einkauf", "Geschäftsführer", "Analytiker"]),
                "emailaddress1": email,
                "telephone1": acc["telephone1"],
                "address1_city": acc["address1_city"],
                "address1_country": acc["address1_country"],
                "parentcustomerid": acc["accountid"],
                "parentcustomerid$table": "account",
                "ownerid": acc["ownerid"],
            },
            b.at(acc["createdon"]),
            acc["ownerid"],
        )
        contacts.append(c)
        b.truth(
            "dynamics_identities",
            {
                "crm": "dynamics",
                "object": "contact",
                "id": c["contactid"],
                "kind": "person",
                "identity": person,
            },
        )
    sources = [v for v, _ in OPTION_SETS[("lead", "leadsourcecode")]]
    leads = []
    for i in range(max(4, budget // 15)):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        owner = rng.choice(b.sellers)
        lead = stamp(
            world,
            "lead",
            {
                "firstname": first,
                "lastname": last,
                "fullname": f"{first} {last}",
                "companyname": f"{rng.choice(_STEMS)} {last} {rng.choice(_SUFFIX)}",
                "emailaddress1": f"{first}.{last}.{i}@lead.example".lower(),
                "telephone1": f"+43 1 {rng.randint(100000, 999999)}",
                "jobtitle": "Laborleiter",
                "leadsourcecode": rng.choice(sources),
                "statecode": rng.choice([0, 0, 1, 2]),
                "statuscode": 1,
                "ownerid": owner,
                "campaignid": campaigns[-1]["campaignid"] if campaigns and i % 5 == 0 else None,
            },
            b.at(),
            owner,
        )
        leads.append(lead)
    opportunities = []
    for i in range(max(4, budget // 15)):
        acc, org_identity = accounts[i % len(accounts)]
        contact = contacts[i % len(contacts)]
        product = rng.choice(products)
        price = next(p for n, _, p in _PRODUCTS if n == product["name"])
        state = rng.choice([0, 1, 1, 2])
        created = b.at(acc["createdon"], anchor - timedelta(days=10))
        close = (created + timedelta(days=rng.randint(10, 120))).date()
        if state and close > anchor.date():  # a deal won or lost is closed by today
            close = anchor.date() - timedelta(days=i % 10)
        owner = acc["ownerid"]
        amount = float(price * rng.randint(1, 3))
        opp = stamp(
            world,
            "opportunity",
            {
                "name": f"{acc['name']} - {product['name']}",
                "parentaccountid": acc["accountid"],
                "parentcontactid": contact["contactid"],
                "customerid": acc["accountid"],
                "customerid$table": "account",
                "estimatedvalue": amount,
                "actualvalue": amount if state == 1 else None,
                "estimatedclosedate": close,
                "actualclosedate": close if state else None,
                "closeprobability": {0: 40, 1: 100, 2: 0}[state],
                "statecode": state,
                "salesstagecode": 3 if state else rng.randint(0, 2),
                "stepname": "3-Close" if state else "1-Qualify",
                "isocurrencycode": "EUR",
                "ownerid": owner,
            },
            created,
            owner,
        )
        opportunities.append(opp)
        line = stamp(
            world,
            "opportunityproduct",
            {
                "opportunityid": opp["opportunityid"],
                "productid": product["productid"],
                "productname": product["name"],
                "quantity": amount / price,
                "priceperunit": float(price),
                "extendedamount": amount,
                "ownerid": owner,
            },
            created,
            owner,
        )
        stamp(
            world,
            "connection",
            {
                "name": contact["fullname"],
                "record1id": opp["opportunityid"],
                "record1id$table": "opportunity",
                "record2id": contact["contactid"],
                "record2id$table": "contact",
                "record2roleid": rng.choice(list(roles.values())),
                "ismaster": True,
                "ownerid": owner,
            },
            created,
            owner,
        )
        b.truth(
            "dynamics_deals",
            {
                "crm": "dynamics",
                "object": "opportunity",
                "id": opp["opportunityid"],
                "customer_org": org_identity,
                "amount": f"{amount:.2f}",
                "currency": "EUR",
                "won": state == 1,
                "closed": state != 0,
                "line_item": line["opportunityproductid"],
            },
        )
    add_service_and_activities(b, budget, leads, contacts, opportunities, campaigns)
    add_teams(b, app_id)
    add_user_settings(b, app_id)
