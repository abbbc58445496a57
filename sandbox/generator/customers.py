"""CRM records for the true customers, with the variations real data has.

The first record of a person or company is typed cleanly; every later one (in another CRM,
or a duplicate in the same CRM) picks up one or two real-world variations, then the
corruption profile (``corruption.py``: typos, dropped fields, no shared contact point,
address variants...). A contact made by converting a lead is the CRM's own copy and is not
corrupted further. Every record gets an ``identities`` ground-truth row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.generator.addresses import office_street
from sandbox.generator.context import Employee, Gen
from sandbox.generator.names import (
    PHONE_STYLES,
    add_accents,
    company_variant,
    format_phone,
    strip_accents,
    typo,
)
from sandbox.generator.population import Org, Person
from sandbox.store import Record

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


def _person_values(gen: Gen, p: Person, crm: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A copy's values, and the same name parts as they would be for ``p.drawn`` (what
    the main stream's name-dependent draws are made on, so that they stay as they were)."""
    rng = gen.rng
    style = {"salesforce": "paren", "hubspot": "e164", "zoho": "spaced"}[crm]
    values: dict[str, Any] = {
        "first": p.first.name,
        "last": p.last,
        "email": p.email,
        "phone": p.phone,
        "mobile": p.mobile if rng.random() < 0.6 else None,
        "title": p.title,
    }
    drawn: dict[str, Any] = {"first": p.drawn[0].name, "last": p.drawn[1]}
    if _count(p.records):
        for _ in range(rng.choice((1, 1, 2))):
            _vary(gen, p, values, drawn)
        style = rng.choice(PHONE_STYLES)
    dial = p.org.city.dial
    for key in ("phone", "mobile"):
        if values[key]:
            values[key] = format_phone(values[key], dial, style)
    return values, drawn


def _vary(gen: Gen, p: Person, values: dict[str, Any], drawn: dict[str, Any]) -> None:
    """One variation of ``values``; a draw that depends on a name is made on ``drawn``
    from the main stream (as before names had a stream) and on ``values`` from
    ``gen.names``."""
    rng, names = gen.rng, gen.names
    kind = rng.choice(
        ("case", "accents", "nickname", "typo", "swap", "missing", "personal", "accent_add")
    )
    if values["first"] is None or values["last"] is None:
        return  # already lost a name part: leave the rest alone
    both = (values, drawn)
    if kind == "case":
        upper = rng.random() < 0.5
        for v in both:
            v["last"] = v["last"].upper() if upper else v["last"].lower()
    elif kind == "accents":
        for v in both:
            v["first"], v["last"] = strip_accents(v["first"]), strip_accents(v["last"])
    elif kind == "accent_add":
        drawn["last"] = add_accents(drawn["last"], rng)
        values["last"] = add_accents(values["last"], names)
    elif kind == "nickname" and p.drawn[0].nicknames:
        drawn["first"] = rng.choice(p.drawn[0].nicknames)
        if p.first.nicknames:
            values["first"] = names.choice(p.first.nicknames)
    elif kind == "typo":
        key = rng.choice(("first", "last"))
        drawn[key] = typo(drawn[key], rng)
        values[key] = typo(values[key], names)
    elif kind == "swap":
        for v in both:
            v["first"], v["last"] = v["last"], v["first"]
    elif kind == "missing":
        key = rng.choice(("email", "phone", "title", "first"))
        values[key] = None
        if key == "first":
            drawn["first"] = None
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
                "BillingStreet": office_street(org.identity, city),
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
                "address": office_street(org.identity, city),
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
                "Billing_Street": office_street(org.identity, city),
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
    converted: bool = False,
    imported: bool = False,
) -> Record:
    """``p``'s record of ``obj`` in ``crm``, created on first use (sometimes twice).

    ``converted``: made by converting a lead (the CRM copies it; no further corruption).
    ``imported``: arrives with a list import, so it may carry the import run's time.
    """
    table = getattr(gen.world, crm)[obj]
    existing = p.records.get((crm, obj))
    if existing:
        return table.rows[existing[0]]
    record = _create_person(gen, p, crm, obj, at, by, extra or {}, converted)
    if imported:
        gen.corruption.imports.append((crm, obj, record[table.schema.id_field], gen.start))
    if allow_duplicate and gen.rng.random() < DUPLICATE_RATE:
        # Someone else, later, does not search first and types the person in again
        # (often with a list import, whose run time many records share).
        when = gen.later(at, 24, 24 * 60)
        if when < gen.anchor:
            other = gen.pick(by.team, when, crm)
            dup = _create_person(gen, p, crm, obj, when, other, extra or {})
            gen.corruption.imports.append((crm, obj, dup[table.schema.id_field], at))
            gen.problem(
                other, "duplicate_created", crm, obj, dup[table.schema.id_field], p.identity
            )
    return record


def _create_person(
    gen: Gen,
    p: Person,
    crm: str,
    obj: str,
    at: datetime,
    by: Employee,
    extra: dict[str, Any],
    converted: bool = False,
) -> Record:
    copy = _count(p.records) > 0
    v, drawn = _person_values(gen, p, crm)
    city = p.org.city
    v.update(
        company=_org_name(gen, p.org),
        street=office_street(p.org.identity, city),
        city=city.city,
        postcode=p.org.postal_code,
    )
    unlinked = False
    if copy and not converted:
        unlinked = gen.corruption.corrupt(
            v, p.first.nicknames, p.personal_email, (drawn, p.drawn[0].nicknames)
        )
    last = v["last"] or p.last
    company = v["company"]
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
                Company=company or "[not provided]",  # required: what Salesforce fills in
                Street=v["street"],
                City=v["city"],
                State=city.state,
                PostalCode=v["postcode"],
                Country=city.country,
                IsConverted=False,
                Status="Open - Not Contacted",
                Industry=p.org.stem.industry,
            )
        else:
            values.update(
                MailingStreet=v["street"],
                MailingCity=v["city"],
                MailingState=city.state,
                MailingPostalCode=v["postcode"],
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
            "address": v["street"],
            "city": v["city"],
            "state": city.state,
            "zip": v["postcode"],
            "country": city.country,
            "lifecyclestage": "lead",
            "hs_lead_status": "NEW",
        }
        values.update(extra)
        record = gen.hs(obj, values, at, by)
        company_id = org_record(gen, p.org, "hubspot", at, by)
        if not unlinked:
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
                Street=v["street"],
                City=v["city"],
                State=city.state,
                Zip_Code=v["postcode"],
                Country=city.country,
                Lead_Status="Not Contacted",
                Industry=p.org.stem.industry,
                Converted__s=False,
            )
        else:
            account = org_record(gen, p.org, "zoho", at, by)
            values.update(
                Title=v["title"],
                Mailing_Street=v["street"],
                Mailing_City=v["city"],
                Mailing_State=city.state,
                Mailing_Zip=v["postcode"],
                Mailing_Country=city.country,
                Account_Name=None if unlinked else account,
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
