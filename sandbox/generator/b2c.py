"""The B2C line: home-lab service plans sold to consumers, with no company behind them.

Altamira also sells service plans for its benchtop instruments to individuals (hobby and
home labs, independent practitioners). A consumer has no organisation, and each CRM keeps
one its own way:

- **Salesforce** (person accounts enabled): one ``Account`` with ``IsPersonAccount`` true,
  the person's fields on it, and its person ``Contact`` (``PersonContactId``); the
  opportunity points at the account only, with no contact role — the usual shape of a
  B2C opportunity — and the call-centre agent's call is logged on the person contact;
- **HubSpot**: a contact with no company and the home-lab owner persona
  (``hs_persona`` ``persona_2``), and a deal associated with the contact only;
- **Zoho**: a contact with no account, and a deal with ``Contact_Name`` and no
  ``Account_Name``.

A third of the Salesforce buyers first filled in the web shop's form, which made them a
HubSpot contact with the same name and e-mail: reconciliation must see one person, and
crediting must find the marketing capture and the agent's call behind the opportunity.

On by default (``generate(..., b2c=False)`` and ``crmsync sandbox serve --no-b2c`` leave
it out); drawn last, from its own random stream, so that every other record of a world
stays the same. The consumers' orders (and the store visits behind the orders placed in a
store) follow in ``orders.py``.
Ground truth: ``b2c`` rows (crm, object, id, identity, person_account) for every consumer
record, ``identities`` rows as for any person (a person account's ``Account`` is an
organisation of its own: ``O…``), and ``deals`` rows with ``customer_org`` null outside
Salesforce.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sandbox.generator.activities import Ref, hs_activity, sf_task, zoho_activity
from sandbox.generator.chain import zoho_rate
from sandbox.generator.context import Employee, Gen, iso
from sandbox.generator.names import City, ascii_slug, cities, customer_first_names, draw_surname
from sandbox.generator.orders import Buyer, add_orders
from sandbox.salesforce.schema_person import enable_person_accounts

__all__ = ["B2C_BUYERS", "add_b2c"]

B2C_BUYERS = {"tiny": 8, "small": 60, "medium": 1_200, "large": 12_000}
_PLANS = (("Home lab service plan", 240, 2_400), ("Benchtop care plan", 120, 900))
_FREE_MAIL = ("gmail.com", "outlook.com", "yahoo.com", "proton.me")


class _Consumer:
    """One buyer: a person with no organisation."""

    def __init__(self, gen: Gen, rng: random.Random, city: City) -> None:
        gen.world.sequences["identity:P"] += 1
        self.identity = f"P{gen.world.sequences['identity:P']:06d}"
        self.first = rng.choice(customer_first_names()).name
        self.last = draw_surname(rng)
        self.city = city
        slug = f"{ascii_slug(self.first)}.{ascii_slug(self.last)}".lower()
        self.email = f"{slug}{rng.randrange(10, 99)}@{rng.choice(_FREE_MAIL)}"
        area = rng.choice(city.area_codes)
        local = (
            f"555{rng.randrange(10000):04d}" if city.dial == "+1" else rng.randrange(10**6, 10**7)
        )
        self.mobile = f"{city.dial}{area}{local}"
        self.postcode = rng.choice(city.postal_codes) if city.postal_codes else None
        self.street = f"{rng.randrange(1, 200)} {rng.choice(('Elm', 'Oak', 'Mill', 'Park'))} Street"


def _staff(gen: Gen, rng: random.Random, team: str, crm: str, when: datetime) -> Employee:
    pool = [e for e in gen.staff if e.team == team and crm in e.crms and e.active_at(when)]
    pool = pool or [e for e in gen.staff if crm in e.crms and e.active_at(when)]
    return rng.choice(pool or [e for e in gen.staff if crm in e.crms])


def _record(gen: Gen, crm: str, obj: str, rid: str, who: _Consumer, kind: str, pa: bool) -> None:
    identity = who.identity if kind == "person" else f"O{gen.world.sequences['identity:O']:06d}"
    gen.identity(crm, obj, rid, kind, identity)
    gen.world.truth.add(
        "b2c", {"crm": crm, "object": obj, "id": rid, "identity": identity, "person_account": pa}
    )


def _outcome(gen: Gen, rng: random.Random, at: datetime) -> tuple[bool, bool, datetime]:
    close = at + timedelta(days=rng.randrange(2, 30), hours=rng.randrange(0, 8))
    if close >= gen.anchor:
        return False, False, close
    return True, rng.random() < 0.7, close


def _deal_truth(
    gen: Gen, ref: Ref, who: _Consumer, org: str | None, money: tuple[float, str], deal: Any
) -> None:
    (crm, obj, rid), (value, currency) = ref, money
    closed, won, created, close, owner, touches = deal
    gen.world.truth.add(
        "deals",
        {
            "crm": crm,
            "object": obj,
            "id": rid,
            "customer_person": who.identity,
            "customer_org": org,
            "amount": f"{value:.2f}",
            "currency": currency,
            "stage": "won" if won else "lost" if closed else "open",
            "won": won,
            "closed": closed,
            "created_at": iso(created),
            "close_date": iso(close.date()),
            "owner": owner.employee_id,
            "touches": [
                {
                    "step": i + 1,
                    "slot": slot,
                    "channel": channel,
                    "employee": emp,
                    "crm": r[0],
                    "object": r[1],
                    "id": r[2],
                    "at": iso(when),
                }
                for i, (slot, channel, emp, r, when) in enumerate(touches)
            ],
        },
    )


def _hubspot_contact(gen: Gen, who: _Consumer, at: datetime, by: Employee) -> str:
    values = {
        "firstname": who.first,
        "lastname": who.last,
        "email": who.email,
        "mobilephone": who.mobile,
        "address": who.street,
        "city": who.city.city,
        "state": who.city.state or None,
        "zip": who.postcode,
        "country": who.city.country,
        "lifecyclestage": "lead",
        "hs_persona": "persona_2",  # the portal's home-lab owner persona
        "hs_analytics_source": "DIRECT_TRAFFIC",
        "hs_latest_source": "DIRECT_TRAFFIC",
    }
    rid: str = gen.hs("contacts", values, at, by)["id"]
    _record(gen, "hubspot", "contacts", rid, who, "person", False)
    return rid


def _salesforce(gen: Gen, rng: random.Random, who: _Consumer, at: datetime, web: bool) -> Buyer:
    touches: list[tuple[str, str, str | None, Ref, datetime]] = []
    if web:
        marketer = _staff(gen, rng, "marketing", "hubspot", at)
        hs_id = _hubspot_contact(gen, who, at, marketer)
        touches.append(
            ("lead_source", "web", marketer.employee_id, ("hubspot", "contacts", hs_id), at)
        )
        at = at + timedelta(hours=rng.randrange(2, 48))
    agent = _staff(gen, rng, "call_centre", "salesforce", at)
    source = "Web" if web else "Phone Inquiry"
    gen.world.sequences["identity:O"] += 1
    account = gen.sf(
        "Account",
        {
            "Name": f"{who.first} {who.last}",
            "IsPersonAccount": True,
            "FirstName": who.first,
            "LastName": who.last,
            "PersonEmail": who.email,
            "PersonMobilePhone": who.mobile,
            "PersonMailingStreet": who.street,
            "PersonMailingCity": who.city.city,
            "PersonMailingState": who.city.state or None,
            "PersonMailingPostalCode": who.postcode,
            "PersonMailingCountry": who.city.country,
            "PersonLeadSource": source,
            "Type": "Customer",
        },
        at,
        agent,
    )
    contact = gen.sf(
        "Contact",
        {
            "AccountId": account["Id"],
            "IsPersonAccount": True,
            "FirstName": who.first,
            "LastName": who.last,
            "Email": who.email,
            "MobilePhone": who.mobile,
            "MailingStreet": who.street,
            "MailingCity": who.city.city,
            "MailingState": who.city.state or None,
            "MailingPostalCode": who.postcode,
            "MailingCountry": who.city.country,
            "LeadSource": source,
        },
        at,
        agent,
    )
    account["PersonContactId"] = contact["Id"]
    _record(gen, "salesforce", "Account", account["Id"], who, "organisation", True)
    _record(gen, "salesforce", "Contact", contact["Id"], who, "person", True)
    name, low, high = rng.choice(_PLANS)
    value, currency = round(rng.uniform(low, high), 2), who.city.currency
    closed, won, close = _outcome(gen, rng, at)
    stage = ("Closed Won" if won else "Closed Lost") if closed else "Proposal/Price Quote"
    deal = gen.sf(
        "Opportunity",
        {
            "Name": f"{who.first} {who.last} - {name}",
            "AccountId": account["Id"],
            "StageName": stage,
            "CloseDate": close.date(),
            "Amount": value,
            "CurrencyIsoCode": currency,
            "Probability": 100.0 if won else 0.0 if closed else 60.0,
            "IsClosed": closed,
            "IsWon": won,
            "LeadSource": source,
            "Type": "New Customer",
            "ForecastCategoryName": "Closed" if won else "Omitted" if closed else "Pipeline",
            "HasOpportunityLineItem": False,
        },
        at,
        agent,
    )
    _owner_split(gen, deal, agent, at)
    if not web:
        touches.append(("lead_source", "phone", None, ("salesforce", "Account", account["Id"]), at))
    t_call = at + timedelta(minutes=rng.randrange(5, 90))
    call = sf_task(
        gen, t_call, agent, "Call", "Service plan call", contact["Id"], deal["Id"], "Outbound"
    )
    touches.append(("qualification", "phone", agent.employee_id, call, t_call))
    if closed:
        touches.append(
            ("close", "phone", agent.employee_id, ("salesforce", "Opportunity", deal["Id"]), close)
        )
        gen.bump("salesforce", "Opportunity", deal, close, agent)
    org = f"O{gen.world.sequences['identity:O']:06d}"
    ref = ("salesforce", "Opportunity", deal["Id"])
    _deal_truth(gen, ref, who, org, (value, currency), (closed, won, at, close, agent, touches))
    return Buyer("salesforce", contact["Id"], account["Id"], who.identity, agent, currency, at)


def _owner_split(gen: Gen, deal: Any, owner: Employee, at: datetime) -> None:
    """The owner's 100% revenue split, which Salesforce adds to every new opportunity of
    an org with team selling and splits on."""
    kinds = gen.world.salesforce["OpportunitySplitType"].rows.values()
    revenue = next((t["Id"] for t in kinds if t["DeveloperName"] == "Revenue"), None)
    if revenue is None:
        return
    split = gen.sf(
        "OpportunitySplit",
        {
            "OpportunityId": deal["Id"],
            "SplitOwnerId": owner.sf_user,
            "SplitTypeId": revenue,
            "SplitPercentage": 100.0,
            "SplitAmount": deal["Amount"],
            "HasOpportunityLineItemSplit": False,
            "CurrencyIsoCode": deal["CurrencyIsoCode"],
        },
        at,
        owner,
    )
    row = {"crm": "salesforce", "object": "OpportunitySplit", "id": split["Id"]}
    row |= {"deal": deal["Id"], "employee_id": owner.employee_id, "type": "revenue"}
    gen.world.truth.add("deal_splits", {**row, "percent": "100.00"})


def _hubspot(gen: Gen, rng: random.Random, who: _Consumer, at: datetime) -> Buyer:
    agent = _staff(gen, rng, "call_centre", "hubspot", at)
    contact = _hubspot_contact(gen, who, at, agent)
    name, low, high = rng.choice(_PLANS)
    value, currency = round(rng.uniform(low, high), 2), who.city.currency
    closed, won, close = _outcome(gen, rng, at)
    deal = gen.hs(
        "deals",
        {
            "dealname": f"{who.first} {who.last} - {name}",
            "amount": value,
            "deal_currency_code": currency,
            "pipeline": "default",
            "dealstage": ("closedwon" if won else "closedlost") if closed else "contractsent",
            "closedate": close,
            "dealtype": "newbusiness",
            "hs_is_closed": closed,
            "hs_is_closed_won": won,
            "hs_analytics_source": "DIRECT_TRAFFIC",
        },
        at,
        agent,
    )
    gen.world.hubspot_associations.add("deals", deal["id"], "contacts", contact)
    call = hs_activity(
        gen, "calls", at, agent, "Service plan call", {"contacts": contact, "deals": deal["id"]}
    )
    touches = [("qualification", "phone", agent.employee_id, call, at)]
    if closed:
        touches.append(
            ("close", "phone", agent.employee_id, ("hubspot", "deals", deal["id"]), close)
        )
        gen.bump("hubspot", "deals", deal, close, agent)
    ref = ("hubspot", "deals", deal["id"])
    _deal_truth(gen, ref, who, None, (value, currency), (closed, won, at, close, agent, touches))
    return Buyer("hubspot", contact, None, who.identity, agent, currency, at)


def _zoho(gen: Gen, rng: random.Random, who: _Consumer, at: datetime) -> Buyer:
    rep = _staff(gen, rng, "iberia_sales", "zoho", at)
    contact = gen.zo(
        "Contacts",
        {
            "First_Name": who.first,
            "Last_Name": who.last,
            "Email": who.email,
            "Mobile": who.mobile,
            "Mailing_Street": who.street,
            "Mailing_City": who.city.city,
            "Mailing_State": who.city.state or None,
            "Mailing_Zip": who.postcode,
            "Mailing_Country": who.city.country,
            "Lead_Source": "Online Store",
            "Account_Name": None,
        },
        at,
        rep,
    )
    _record(gen, "zoho", "Contacts", contact["id"], who, "person", False)
    name, low, high = rng.choice(_PLANS)
    value, currency = round(rng.uniform(low, high), 2), who.city.currency
    closed, won, close = _outcome(gen, rng, at)
    stage, prob = (
        (("Closed Won", 100.0) if won else ("Closed Lost", 0.0))
        if closed
        else ("Negotiation/Review", 60.0)
    )
    deal = gen.zo(
        "Deals",
        {
            "Deal_Name": f"{who.first} {who.last} - {name}",
            "Stage": stage,
            "Amount": value,
            "Currency": currency,
            "Exchange_Rate": zoho_rate(gen, currency, at),
            "Closing_Date": close.date(),
            "Probability": prob,
            "Account_Name": None,
            "Contact_Name": contact["id"],
            "Lead_Source": "Online Store",
            "Pipeline": "Standard",
            "Type": "New Business",
        },
        at,
        rep,
    )
    call = zoho_activity(
        gen, "Calls", at, rep, "Plan de servicio", who=contact["id"], what=("Deals", deal["id"])
    )
    touches = [("qualification", "phone", rep.employee_id, call, at)]
    if closed:
        touches.append(("close", "phone", rep.employee_id, ("zoho", "Deals", deal["id"]), close))
        gen.bump("zoho", "Deals", deal, close, rep)
    ref = ("zoho", "Deals", deal["id"])
    _deal_truth(gen, ref, who, None, (value, currency), (closed, won, at, close, rep, touches))
    return Buyer("zoho", contact["id"], None, who.identity, rep, currency, at)


def add_b2c(gen: Gen) -> None:
    """The B2C line: ``B2C_BUYERS[scale]`` consumers, half in Salesforce as person
    accounts (a third of those first met on the web shop, in HubSpot), a quarter in
    HubSpot and a quarter in Zoho (the Iberian ones), then their orders (``orders.py``)."""
    rng = random.Random(f"altamira:{gen.world.seed}:{gen.world.scale}:b2c")
    enable_person_accounts(gen.world.salesforce)
    places = cities()
    iberian = [c for c in places if c.iso in ("ES", "PT")] or list(places)
    high = gen.anchor - timedelta(days=1)
    buyers = []
    for i in range(B2C_BUYERS[gen.world.scale]):
        crm = ("salesforce", "salesforce", "hubspot", "zoho")[i % 4]
        city = rng.choice(iberian if crm == "zoho" else places)
        who = _Consumer(gen, rng, city)
        at = gen.start + timedelta(seconds=rng.randrange(int((high - gen.start).total_seconds())))
        if crm == "salesforce":
            buyers.append(_salesforce(gen, rng, who, at, web=(i // 4) % 3 == 0))
        elif crm == "hubspot":
            buyers.append(_hubspot(gen, rng, who, at))
        else:
            buyers.append(_zoho(gen, rng, who, at))
    add_orders(gen, buyers)  # their own random stream: the consumers stay the same
