"""Altamira's strategic accounts division, which sells and serves in Oracle CX Sales.

Large North American and British laboratory groups, worked by a small division: the field
sales manager and two field sellers who also work in Salesforce (the same employee ids:
they carry their biggest accounts into Oracle), key account managers and a service agent
who work only here, and the integration user crmsync signs in as. A few of its accounts
are companies Salesforce already knows (customers crossing systems): the same site and
the same people, with the same identities. Drawn after everything else from a random
stream of its own, so the other CRMs' records are the same, byte for byte, with or without
this part. Its ground truth goes to files of its own (``oracle_employees``,
``oracle_identities``, ``oracle_deals``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.oracle.schema import CHILD, RESOURCES, REVENUE, oracle_number
from sandbox.store import Record
from sandbox.world import World

__all__ = ["INTEGRATION_USER", "ORACLE_RECORDS", "add_oracle_company", "oracle_stamp"]

ORACLE_RECORDS = {"tiny": 150, "small": 1_500, "medium": 12_000, "large": 150_000}
INTEGRATION_USER = "crmsync.integration"
_FIRST = (
    "Avery", "Blake", "Casey", "Devon", "Emerson", "Harper", "Jordan", "Morgan", "Quinn",
    "Reese", "Rowan", "Sawyer", "Skyler", "Tatum", "Peyton", "Logan", "Hayden",
)  # fmt: skip
_LAST = (
    "Whitfield", "Okafor", "Lindqvist", "Navarro", "Brennan", "Castillo", "Abernathy",
    "Fairbanks", "Kowalczyk", "Moreau", "Nakamura", "Oyelaran", "Pemberton", "Rasmussen",
    "Sandoval", "Thorne",
)  # fmt: skip
_STEMS = ("Meridian", "Summit", "Northgate", "Bayview", "Ironwood", "Crescent", "Harbor")
_KINDS = ("Laboratories", "Health System", "Pharmaceuticals", "Genomics", "Diagnostics")
_CITIES = (
    ("Boston", "MA", "02110", "US"),
    ("Chicago", "IL", "60601", "US"),
    ("San Diego", "CA", "92101", "US"),
    ("Toronto", "ON", "M5H 2N2", "CA"),
    ("Cambridge", "Cambridgeshire", "CB2 1TN", "GB"),
)
_STAGES = ("01 - Qualify", "02 - Discover", "03 - Propose", "04 - Negotiate", "05 - Close")
_CHANNELS = ("WEB", "EMAIL", "PHONE", "TRADESHOW", "REFERRAL")
# (item number, description, unit price): what the division sells, one line per deal
_PRODUCTS = (
    ("LIMS-ENT", "LIMS Enterprise licence", 180_000),
    ("ANL-FLEET", "Analyzer fleet (10 units)", 420_000),
    ("SVC-PREM", "Premium service contract", 60_000),
    ("INT-CONN", "Instrument integration pack", 25_000),
)
_ROLES = ("DECISION_MAKER", "INFLUENCER", "TECHNICAL_BUYER", "END_USER")


def oracle_stamp(
    world: World, resource: str, values: dict[str, Any], at: datetime, by: str
) -> Record:
    """Insert a record with its id, its number and the audit attributes (``by``: the user
    name of who created it)."""
    table = world.oracle[resource]
    res = RESOURCES[resource]
    row: Record = {f.name: None for f in table.schema.fields}
    row.update(values)
    rid = world.mint("oracle", resource)
    row[res.id_field] = rid
    if res.key_field != res.id_field:
        row[res.key_field] = oracle_number(resource, rid)
    elif "PartyNumber" in row:  # a resource's party number (its path key is the id)
        row["PartyNumber"] = oracle_number(resource, rid)
    row.update({"CreationDate": at, "LastUpdateDate": at, "CreatedBy": by, "LastUpdatedBy": by})
    table.insert(row)
    return row


class _Division:
    def __init__(self, world: World, anchor: datetime) -> None:
        self.world = world
        self.rng = random.Random(f"oracle:{world.seed}:{world.scale}")
        self.anchor = anchor
        self.start = anchor - timedelta(days=480)
        self.sellers: list[Record] = []
        self.agent: Record | None = None
        self.people = 0

    def at(self, low: datetime | None = None) -> datetime:
        low = low or self.start
        span = max((self.anchor - timedelta(hours=1) - low).total_seconds(), 1.0)
        return (low + timedelta(seconds=self.rng.uniform(0, span))).replace(microsecond=0)

    def name(self) -> tuple[str, str]:
        """The next customer's name: every pair of the pools once before any repeats."""
        self.people += 1
        n = self.people - 1
        return _FIRST[n % len(_FIRST)], _LAST[(n // len(_FIRST) + n) % len(_LAST)]

    def identity(self, resource: str, rid: str, kind: str, identity: str) -> None:
        row = {"crm": "oracle", "object": resource, "id": rid, "kind": kind, "identity": identity}
        self.world.truth.add("oracle_identities", row)

    def user(self, first: str, last: str, email: str, title: str, employee: str) -> Record:
        name = f"{first}.{last}".lower().replace(" ", "")
        row = oracle_stamp(
            self.world,
            "resourceUsers",
            {
                "Username": name,
                "FirstName": first,
                "LastName": last,
                "PartyName": f"{first} {last}",
                "EmailAddress": email,
                "JobTitle": title,
                "OrganizationName": "Strategic Accounts",
                "ResourceStatus": "ACTIVE",
            },
            self.start - timedelta(days=30),
            INTEGRATION_USER,
        )
        rid = row["ResourcePartyId"]
        self.world.truth.add(
            "oracle_employees",
            {"employee_id": employee, "user_id": rid, "title": title, "email": email},
        )
        self.identity("resourceUsers", rid, "employee", employee)
        return row


def _staff(d: _Division) -> None:
    oracle_stamp(  # the integration user crmsync signs in as
        d.world,
        "resourceUsers",
        {
            "Username": INTEGRATION_USER,
            "FirstName": "crmsync",
            "LastName": "Integration",
            "PartyName": "crmsync Integration",
            "ResourceStatus": "ACTIVE",
        },
        d.start - timedelta(days=31),
        INTEGRATION_USER,
    )
    employees = list(d.world.truth.files.get("employees", []))
    field = [e for e in employees if e.get("team") == "field_sales" and e.get("active", True)]
    crossing = [e for e in field if e.get("role") == "manager"][:1]
    crossing += [e for e in field if e.get("role") != "manager"][:2]
    for emp in crossing:  # they carry their biggest accounts into Oracle
        first, _, last = emp["name"].partition(" ")
        title = "Sales Manager" if emp.get("role") == "manager" else "Account Executive"
        d.sellers.append(d.user(first, last, emp["email"], title, emp["employee_id"]))
    sellers = {"tiny": 2, "small": 3, "medium": 6, "large": 20}[d.world.scale]
    for i in range(sellers + 1):
        first, last = d.rng.choice(_FIRST), d.rng.choice(_LAST)
        email = f"{first}.{last}.{i}@altamira-instruments.com".lower()
        title = "Key Account Manager" if i < sellers else "Service Agent"
        user = d.user(first, last, email, title, f"OE{i + 1:04d}")
        if i < sellers:
            d.sellers.append(user)
        else:
            d.agent = user


def _crossing(world: World, count: int) -> list[tuple[Record, str, str]]:
    """Salesforce contacts (with their person and organisation identities) whose company
    also buys through the strategic accounts division: from the end of the list, so they
    are others than the DACH subsidiary's."""
    ids = {
        (r["object"], r["id"]): r["identity"]
        for r in world.truth.files.get("identities", [])
        if r["crm"] == "salesforce"
    }
    out: list[tuple[Record, str, str]] = []
    orgs: set[str] = set()
    for contact in reversed(list(world.salesforce["Contact"].live())):
        person = ids.get(("Contact", contact["Id"]))
        org = ids.get(("Account", contact.get("AccountId") or ""))
        if person and org and contact.get("Email") and org not in orgs:
            orgs.add(org)
            out.append((contact, person, org))
        if len(out) >= count:
            break
    return out


def add_oracle_company(world: World, anchor: datetime) -> None:
    """Fill ``world.oracle`` with the division (see the module docstring)."""
    d = _Division(world, anchor)
    _staff(d)
    rng = d.rng
    budget = ORACLE_RECORDS[world.scale]
    orgs = max(4, budget // 15)
    crossing = _crossing(world, max(2, orgs // 10))
    accounts: list[Record] = []
    contacts: list[Record] = []
    people_of: dict[str, str] = {}  # contact id -> person identity
    org_of: dict[str, str] = {}  # account id -> organisation identity
    for i in range(orgs):
        owner = rng.choice(d.sellers)
        city = rng.choice(_CITIES)
        values: dict[str, Any] = {
            "City": city[0],
            "State": city[1],
            "PostalCode": city[2],
            "Country": city[3],
        }
        if i < len(crossing):
            sf_contact, _, org_identity = crossing[i]
            sf = world.salesforce["Account"].rows[sf_contact["AccountId"]]
            name, website, phone = sf["Name"], sf.get("Website"), sf.get("Phone")
            values = {
                "AddressLine1": sf.get("BillingStreet"),
                "City": sf.get("BillingCity"),
                "State": sf.get("BillingState"),
                "PostalCode": sf.get("BillingPostalCode"),
                "Country": sf.get("BillingCountry"),
            }
        else:
            name = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)} {i + 1}"
            website = f"https://www.{name.split()[0].lower()}{i + 1}.example"
            phone = f"+1 617 {rng.randint(1000000, 9999999)}"
            org_identity = f"OO{i + 1:06d}"
        acc = oracle_stamp(
            world,
            "accounts",
            {
                **values,
                "OrganizationName": name,
                "URL": website,
                "FormattedPhoneNumber": phone,
                "EmployeesTotal": rng.randint(500, 40_000),
                "CurrentFiscalYearPotentialRevenueAmount": float(rng.randint(5, 900) * 100_000),
                "CurrencyCode": "USD",
                "OwnerPartyId": owner["ResourcePartyId"],
            },
            d.at(),
            owner["Username"],
        )
        accounts.append(acc)
        org_of[acc["PartyId"]] = org_identity
        d.identity("accounts", acc["PartyId"], "organisation", org_identity)
        people = 1 if i < len(crossing) else rng.randint(1, 3)
        for k in range(people):
            if i < len(crossing) and k == 0:
                sf_contact, person, _ = crossing[i]
                first, last = sf_contact.get("FirstName"), sf_contact["LastName"]
                email = sf_contact["Email"]
            else:
                first, last = d.name()
                email = f"{first}.{last}{d.people}@{(website or 'x.example').split('www.')[-1]}"
                email = email.lower()
                person = f"OP{d.people:06d}"
            con = oracle_stamp(
                world,
                "contacts",
                {
                    "FirstName": first,
                    "LastName": last,
                    "JobTitle": rng.choice(["Lab Director", "VP Operations", "Buyer", "CIO"]),
                    "EmailAddress": email,
                    "WorkPhoneNumber": f"+1 617 {rng.randint(1000000, 9999999)}",
                    "City": acc["City"],
                    "Country": acc["Country"],
                    "AccountPartyId": acc["PartyId"],
                    "OwnerPartyId": acc["OwnerPartyId"],
                },
                d.at(acc["CreationDate"]),
                owner["Username"],
            )
            contacts.append(con)
            d.identity("contacts", con["PartyId"], "person", person)
            people_of[con["PartyId"]] = person
    _leads(d, contacts, people_of, budget)
    opportunities = _opportunities(d, accounts, contacts, org_of, budget)
    from sandbox.generator.oracle_activities import add_activities

    add_activities(d, contacts, opportunities, budget)


def _leads(d: _Division, contacts: list[Record], people_of: dict[str, str], budget: int) -> None:
    """Leads; a converted one is the person of the contact it became (the same identity)."""
    rng = d.rng
    for i in range(max(6, budget // 10)):
        owner = rng.choice(d.sellers)
        converted = rng.random() < 0.2
        target = rng.choice(contacts) if converted else None
        if target is not None:
            first, last = target["FirstName"], target["LastName"]
            email, person = target["EmailAddress"], people_of[target["PartyId"]]
            company = d.world.oracle["accounts"].rows[target["AccountPartyId"]]["OrganizationName"]
        else:
            first, last = d.name()
            email, person = f"{first}.{last}.{i}@prospect.example".lower(), f"OL{i + 1:06d}"
            company = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)}"
        lead = oracle_stamp(
            d.world,
            "leads",
            {
                "Name": f"{first} {last} - lab automation",
                "ContactFirstName": first,
                "ContactLastName": last,
                "ContactJobTitle": "Lab Manager",
                "PrimaryContactEmailAddress": email,
                "PrimaryPhoneNumber": f"+1 312 {rng.randint(1000000, 9999999)}",
                "CustomerPartyName": company,
                "StatusCode": "CONVERTED"
                if converted
                else rng.choice(["UNQUALIFIED", "QUALIFIED", "RETIRED"]),
                "ChannelType": rng.choice(_CHANNELS),
                "CustomerId": target["AccountPartyId"] if target else None,
                "PrimaryContactId": target["PartyId"] if target else None,
                "OwnerId": owner["ResourcePartyId"],
            },
            d.at(),
            owner["Username"],
        )
        d.identity("leads", lead["LeadId"], "person", person)


def _opportunities(
    d: _Division,
    accounts: list[Record],
    contacts: list[Record],
    org_of: dict[str, str],
    budget: int,
) -> list[Record]:
    rng, world = d.rng, d.world
    users = {u["ResourcePartyId"]: u for u in d.sellers}
    out = []
    for _ in range(max(4, budget // 10)):
        acc = rng.choice(accounts)
        owner = users[acc["OwnerPartyId"]]
        status = rng.choice(["OPEN", "OPEN", "WON", "LOST"])
        created = d.at(acc["CreationDate"])
        people = [c for c in contacts if c["AccountPartyId"] == acc["PartyId"]]
        item, product, price = rng.choice(_PRODUCTS)
        quantity = rng.randint(1, 4)
        opp = oracle_stamp(
            world,
            "opportunities",
            {
                "Name": f"{acc['OrganizationName']} - {product}",
                "TargetPartyId": acc["PartyId"],
                "PrimaryContactPartyId": people[0]["PartyId"] if people else None,
                "Revenue": float(price * quantity),
                "CurrencyCode": "USD",
                "EffectiveDate": (created + timedelta(days=rng.randint(30, 180))).date(),
                "SalesStage": _STAGES[-1] if status != "OPEN" else rng.choice(_STAGES[:-1]),
                "WinProb": {"WON": 100, "LOST": 0}.get(status, 50),
                "StatusCode": status,
                "OwnerResourcePartyId": owner["ResourcePartyId"],
            },
            created,
            owner["Username"],
        )
        out.append(opp)
        oracle_stamp(  # the revenue line the opportunity's amount rolls up from
            world,
            REVENUE,
            {
                "OptyId": opp["OptyId"],
                "InventoryItemId": str(
                    300_000_000_900_000 + _PRODUCTS.index((item, product, price))
                ),
                "ItemNumber": item,
                "Description": product,
                "Quantity": float(quantity),
                "UnitPrice": float(price),
                "RevnAmount": float(price * quantity),
                "RevnAmountCurcyCode": "USD",
                "PrimaryFlag": True,
                # who added the line gets its whole revenue credit (see oracle_credits.py)
                "ResourcePartyId": owner["ResourcePartyId"],
                "SalesCreditTypeCode": "QUOTA",
                "SplitPercent": 100.0,
                "SplitTypeCode": "NONE",
            },
            created,
            owner["Username"],
        )
        d.world.truth.add(
            "oracle_deals",
            {
                "crm": "oracle",
                "object": "opportunities",
                "id": opp["OptyId"],
                "customer_org": org_of[acc["PartyId"]],
                "amount": f"{opp['Revenue']:.2f}",
                "currency": "USD",
                "won": status == "WON",
                "closed": status != "OPEN",
            },
        )
        for k, person in enumerate(rng.sample(people, min(len(people), rng.randint(0, 2)))):
            oracle_stamp(
                world,
                CHILD,
                {
                    "OptyId": opp["OptyId"],
                    "PartyId": person["PartyId"],
                    "RoleCd": rng.choice(_ROLES),
                    "PrimaryFlag": k == 0,
                },
                created,
                owner["Username"],
            )
    return out
