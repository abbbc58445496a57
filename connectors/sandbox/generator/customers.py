"""CRM records for the true customers, with the variations real data has.

The first record of a person or company is typed cleanly; every later one (in another CRM,
or a duplicate in the same CRM) picks up one or two real-world variations. Every record gets
an ``identities`` ground-truth row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.sandbox.generator.context import Employee, Gen
from connectors.sandbox.generator.names import (
    PHONE_STYLES,
    add_accents,
    company_variant,
    format_phone,
    strip_accents,
    typo,
)
from connectors.sandbox.generator.population import Org, Person
from connectors.sandbox.store import Record

__all__ = ["org_record", "person_record"]

DUPLICATE_RATE = 0.045
ORG_DUPLICATE_RATE = 0.05
_ORG_OBJECT = {"salesforce": "Account", "hubspot": "companies", "zoho": "Accounts"}
_SLOPPY_FIELDS = {
    "Lead": ("Phone", "Title", "Email"),
    "Contact": ("Phone", "Title", "MobilePhone"),
    "contacts": ("phone", "jobtitle", "company"),
    "Leads": ("Phone", "Designation", "Email"),
    "Contacts": ("Phone", "Title", "Mobile"),
}


def _count(records: dict[tuple[str, str], list[str]]) -> int:
    return sum(len(v) for v in records.values())


def _org_name(gen: Gen, org: Org) -> str:
    if _count(org.records) == 0 or gen.rng.random() < 0.4:
        return org.name
    return company_variant(org.stem, org.suffix, gen.rng)


def _person_values(gen: Gen, p: Person, crm: str) -> dict[str, Any]:
    rng = gen.rng
    style = {"salesforce": "paren", "hubspot": "e164", "zoho": "spaced"}[crm]
    values = {
        "first": p.first.name,
        "last": p.last,
        "email": p.email,
        "phone": p.phone,
        "mobile": p.mobile if rng.random() < 0.6 else None,
        "title": p.title,
    }
    if _count(p.records):
        for _ in range(rng.choice((1, 1, 2))):
            _vary(gen, p, values)
        style = rng.choice(PHONE_STYLES)
    dial = p.org.city.dial
    for key in ("phone", "mobile"):
        if values[key]:
            values[key] = format_phone(values[key], dial, style)
    return values


def _vary(gen: Gen, p: Person, values: dict[str, Any]) -> None:
    rng = gen.rng
    kind = rng.choice(
        ("case", "accents", "nickname", "typo", "swap", "missing", "personal", "accent_add")
    )
    if values["first"] is None or values["last"] is None:
        return  # already lost a name part: leave the rest alone
    if kind == "case":
        values["last"] = values["last"].upper() if rng.random() < 0.5 else values["last"].lower()
    elif kind == "accents":
        values["first"] = strip_accents(values["first"])
        values["last"] = strip_accents(values["last"])
    elif kind == "accent_add":
        values["last"] = add_accents(values["last"], rng)
    elif kind == "nickname" and p.first.nicknames:
        values["first"] = rng.choice(p.first.nicknames)
    elif kind == "typo":
        key = rng.choice(("first", "last"))
        values[key] = typo(values[key], rng)
    elif kind == "swap":
        values["first"], values["last"] = values["last"], values["first"]
    elif kind == "missing":
        values[rng.choice(("email", "phone", "title", "first"))] = None
    elif kind == "personal":
        values["email"] = p.personal_email


def org_record(gen: Gen, org: Org, crm: str, at: datetime, by: Employee) -> str:
    """The id of ``org``'s record in ``crm``, creating it on first use."""
    obj = _ORG_OBJECT[crm]
    existing = org.records.get((crm, obj))
    if existing:
        return existing[0]
    rid = _create_org(gen, org, crm, at, by)
    org.records.setdefault((crm, obj), []).append(rid)
    gen.identity(crm, obj, rid, "organisation", org.identity)
    if gen.rng.random() < ORG_DUPLICATE_RATE:
        # A second account for the same company, typed by someone who did not search.
        when = gen.later(at, 24, 24 * 90)
        if when < gen.anchor:
            org.records[(crm, obj)].append("")  # makes the next name a variant
            other = gen.pick(by.team, when, crm)
            dup = _create_org(gen, org, crm, when, other)
            org.records[(crm, obj)][-1] = dup
            gen.identity(crm, obj, dup, "organisation", org.identity)
            gen.problem(other, "duplicate_created", crm, obj, dup, org.identity)
    return rid


def _create_org(gen: Gen, org: Org, crm: str, at: datetime, by: Employee) -> str:
    name = _org_name(gen, org)
    city = org.city
    if crm == "salesforce":
        record = gen.sf(
            "Account",
            {
                "Name": name,
                "Type": "Customer",
                "Industry": org.stem.industry,
                "Website": f"https://www.{org.domain}",
                "Phone": format_phone(org.phone, city.dial, "paren"),
                "BillingCity": city.city,
                "BillingState": city.state,
                "BillingPostalCode": org.postal_code,
                "BillingCountry": city.country,
                "AnnualRevenue": org.revenue,
                "NumberOfEmployees": org.employees,
                "Region__c": "International" if city.region == "Iberia" else city.region,
            },
            at,
            by,
        )
        rid = record["Id"]
    elif crm == "hubspot":
        record = gen.hs(
            "companies",
            {
                "name": name,
                "domain": org.domain,
                "industry": org.stem.industry.upper().replace(" & ", "_").replace(" ", "_"),
                "phone": org.phone,
                "city": city.city,
                "state": city.state,
                "zip": org.postal_code,
                "country": city.country,
                "numberofemployees": org.employees,
                "annualrevenue": org.revenue,
                "lifecyclestage": "lead",
            },
            at,
            by,
        )
        rid = record["id"]
    else:
        record = gen.zo(
            "Accounts",
            {
                "Account_Name": name,
                "Account_Type": "Customer",
                "Industry": org.stem.industry,
                "Website": f"www.{org.domain}",
                "Phone": format_phone(org.phone, city.dial, "spaced"),
                "Billing_City": city.city,
                "Billing_State": city.state,
                "Billing_Code": org.postal_code,
                "Billing_Country": city.country,
                "Employees": org.employees,
                "Annual_Revenue": org.revenue,
            },
            at,
            by,
        )
        rid = record["id"]
    return rid


def person_record(
    gen: Gen,
    p: Person,
    crm: str,
    obj: str,
    at: datetime,
    by: Employee,
    extra: dict[str, Any] | None = None,
    allow_duplicate: bool = True,
) -> Record:
    """``p``'s record of ``obj`` in ``crm``, created on first use (sometimes twice)."""
    table = getattr(gen.world, crm)[obj]
    existing = p.records.get((crm, obj))
    if existing:
        return table.rows[existing[0]]
    record = _create_person(gen, p, crm, obj, at, by, extra or {})
    if allow_duplicate and gen.rng.random() < DUPLICATE_RATE:
        # Someone else, later, does not search first and types the person in again.
        when = gen.later(at, 24, 24 * 60)
        if when < gen.anchor:
            other = gen.pick(by.team, when, crm)
            dup = _create_person(gen, p, crm, obj, when, other, extra or {})
            gen.problem(
                other, "duplicate_created", crm, obj, dup[table.schema.id_field], p.identity
            )
    return record


def _create_person(
    gen: Gen, p: Person, crm: str, obj: str, at: datetime, by: Employee, extra: dict[str, Any]
) -> Record:
    v = _person_values(gen, p, crm)
    last = v["last"] or p.last
    company = _org_name(gen, p.org)
    city = p.org.city
    if crm == "salesforce":
        values: dict[str, Any] = {
            "FirstName": v["first"],
            "LastName": last,
            "Title": v["title"],
            "Email": v["email"],
            "Phone": v["phone"],
            "MobilePhone": v["mobile"],
        }
        if obj == "Lead":
            values.update(
                Company=company,
                City=city.city,
                State=city.state,
                PostalCode=p.org.postal_code,
                Country=city.country,
                IsConverted=False,
                Status="Open - Not Contacted",
                Industry=p.org.stem.industry,
            )
        else:
            values.update(
                MailingCity=city.city,
                MailingState=city.state,
                MailingPostalCode=p.org.postal_code,
                MailingCountry=city.country,
            )
        values.update(extra)
        record = gen.sf(obj, values, at, by)
    elif crm == "hubspot":
        values = {
            "firstname": v["first"],
            "lastname": last,
            "email": v["email"],
            "phone": v["phone"],
            "mobilephone": v["mobile"],
            "company": company,
            "jobtitle": v["title"],
            "city": city.city,
            "state": city.state,
            "zip": p.org.postal_code,
            "country": city.country,
            "lifecyclestage": "lead",
            "hs_lead_status": "NEW",
        }
        values.update(extra)
        record = gen.hs(obj, values, at, by)
        company_id = org_record(gen, p.org, "hubspot", at, by)
        record["associatedcompanyid"] = int(company_id)
        gen.world.hubspot_associations.add(
            "contacts", record["id"], "companies", company_id, primary=True
        )
    else:
        values = {
            "First_Name": v["first"],
            "Last_Name": last,
            "Email": v["email"],
            "Phone": v["phone"],
            "Mobile": v["mobile"],
        }
        if obj == "Leads":
            values.update(
                Company=company,
                Designation=v["title"],
                City=city.city,
                State=city.state,
                Zip_Code=p.org.postal_code,
                Country=city.country,
                Lead_Status="Not Contacted",
                Industry=p.org.stem.industry,
                Converted__s=False,
            )
        else:
            values.update(
                Title=v["title"],
                Mailing_City=city.city,
                Mailing_State=city.state,
                Mailing_Zip=p.org.postal_code,
                Mailing_Country=city.country,
                Account_Name=org_record(gen, p.org, "zoho", at, by),
            )
        values.update(extra)
        record = gen.zo(obj, values, at, by)
    rid = record[getattr(gen.world, crm)[obj].schema.id_field]
    if by.has("missing_fields") and gen.rng.random() < 0.7:
        blanked = [f for f in _SLOPPY_FIELDS[obj] if record.get(f) is not None]
        for name in blanked:
            record[name] = None
        if blanked:
            gen.problem(by, "missing_fields", crm, obj, rid, ",".join(blanked))
    p.records.setdefault((crm, obj), []).append(rid)
    gen.identity(crm, obj, rid, "person", p.identity)
    return record
