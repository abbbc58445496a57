"""After-sales cases: the Zoho service desk, some Salesforce Cases, HubSpot tickets."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.generator.activities import hs_activity, zoho_activity
from sandbox.generator.context import Employee, Gen, iso
from sandbox.generator.customers import org_record, person_record
from sandbox.generator.population import Person

__all__ = ["make_case"]

_ORIGINS = ("Email", "Phone", "Web", "Chat", "Social", "Store")
_HS_SOURCE = {"email": "EMAIL", "phone": "PHONE", "web": "FORM", "chat": "CHAT"}
_SUBJECTS = ("Calibration drift", "Pump leaking", "Software licence", "Spare parts", "Training")


def _first_seen(gen: Gen, p: Person) -> datetime:
    """When the customer first appears in any CRM (cases come after that)."""
    first = gen.anchor - timedelta(days=12)
    for (crm, obj), ids in p.records.items():
        table = getattr(gen.world, crm)[obj]
        created = table.schema.created_fields[0]
        for rid in ids:
            first = min(first, table.rows[rid][created])
    return first


def _case_number(gen: Gen, crm: str) -> str:
    key = f"case_number:{crm}"
    gen.world.sequences[key] += 1
    return f"{gen.world.sequences[key]:08d}"


def make_case(gen: Gen, p: Person) -> None:
    rng = gen.rng
    known = _first_seen(gen, p)
    opened = gen.at_between(known + timedelta(days=11), gen.anchor - timedelta(hours=2))
    roll = rng.random()
    origin = rng.choice(_ORIGINS)
    if roll < 0.2:
        origin = rng.choice(("Email", "Phone", "Web", "Chat"))
    channel = origin.lower()
    resolve_hours = rng.choice((2, 6, 20, 48, 120, 400))
    closed_at = gen.later(opened, resolve_hours * 0.5, resolve_hours * 1.5)
    reopened = rng.random() < 0.1
    if reopened:
        closed_at = gen.later(closed_at, 24, 24 * 10)
    closed = closed_at < gen.anchor
    subject = rng.choice(_SUBJECTS)
    if roll < 0.2:
        owner = gen.pick("call_centre", opened, "hubspot")
        ref = _hubspot_ticket(
            gen, p, owner, opened, closed_at if closed else None, channel, subject
        )
    elif roll < 0.35:
        owner = gen.pick("service", opened, "salesforce")
        ref = _salesforce_case(
            gen, p, owner, opened, closed_at if closed else None, origin, subject
        )
    else:
        owner = gen.pick("service", opened, "zoho")
        ref = _zoho_case(gen, p, owner, opened, closed_at if closed else None, origin, subject)
    crm, obj, rid = ref
    gen.world.truth.add(
        "cases",
        {
            "crm": crm,
            "object": obj,
            "id": rid,
            "customer_person": p.identity,
            "customer_org": p.org.identity,
            "origin": channel,
            "owner": owner.employee_id,
            "opened_at": iso(opened),
            "closed_at": iso(closed_at) if closed else None,
            "reopened": reopened and closed,
        },
    )


def _zoho_case(gen, p, owner: Employee, opened, closed_at, origin, subject):
    account = org_record(gen, p.org, "zoho", opened, owner)
    contact = person_record(gen, p, "zoho", "Contacts", opened, owner)
    deal = next((d for d in gen.zoho_deals_by_org.get(p.org.identity, [])), None)
    case = gen.zo(
        "Cases",
        {
            "Subject": subject,
            "Case_Number": _case_number(gen, "zoho"),
            "Status": "Closed" if closed_at else gen.rng.choice(("New", "On Hold", "Escalated")),
            "Case_Origin": origin,
            "Priority": gen.rng.choice(("High", "Medium", "Low")),
            "Type": "Problem",
            "Account_Name": account,
            "Related_To": contact["id"],
            "Deal_Name": deal,
            "Resolved_Time": closed_at,
        },
        opened,
        owner,
    )
    what = ("Cases", case["id"])
    answer = gen.later(opened, 0.1, 8)
    if answer < gen.anchor:
        zoho_activity(gen, "Calls", answer, owner, "Llamada de soporte", contact["id"], what)
    if closed_at:
        zoho_activity(gen, "Tasks", closed_at, owner, "Cerrar caso", contact["id"], what)
        gen.bump("zoho", "Cases", case, closed_at, owner)
    return ("zoho", "Cases", case["id"])


def _salesforce_case(gen, p, owner: Employee, opened, closed_at, origin, subject):
    account = org_record(gen, p.org, "salesforce", opened, owner)
    contact = person_record(
        gen, p, "salesforce", "Contact", opened, owner, extra={"AccountId": account}
    )
    case = gen.sf(
        "Case",
        {
            "CaseNumber": _case_number(gen, "salesforce"),
            "Subject": subject,
            "Status": "Closed" if closed_at else "Working",
            "Origin": origin,
            "Priority": gen.rng.choice(("High", "Medium", "Low")),
            "Type": "Problem",
            "Reason": "Equipment Complexity",
            "IsClosed": closed_at is not None,
            "ClosedDate": closed_at,
            "AccountId": account,
            "ContactId": contact["Id"],
        },
        opened,
        owner,
    )
    if closed_at:
        gen.bump("salesforce", "Case", case, closed_at, owner)
    return ("salesforce", "Case", case["Id"])


def _hubspot_ticket(gen, p, owner: Employee, opened, closed_at, channel, subject):
    contact = person_record(gen, p, "hubspot", "contacts", opened, owner)
    company = org_record(gen, p.org, "hubspot", opened, owner)
    ticket = gen.hs(
        "tickets",
        {
            "subject": subject,
            "content": None,
            "hs_pipeline": "0",
            "hs_pipeline_stage": "4" if closed_at else gen.rng.choice(("1", "2", "3")),
            "hs_ticket_priority": gen.rng.choice(("LOW", "MEDIUM", "HIGH")),
            "hs_ticket_category": "PRODUCT_ISSUE",
            "source_type": _HS_SOURCE.get(channel, "EMAIL"),
            "closed_date": closed_at,
            "time_to_close": int((closed_at - opened).total_seconds() * 1000)
            if closed_at
            else None,
        },
        opened,
        owner,
    )
    assoc = gen.world.hubspot_associations
    assoc.add("tickets", ticket["id"], "contacts", contact["id"])
    assoc.add("tickets", ticket["id"], "companies", company, primary=True)
    answer = gen.later(opened, 0.1, 8)
    if answer < gen.anchor:
        links = {"contacts": contact["id"], "tickets": ticket["id"]}
        hs_activity(gen, "emails", answer, owner, f"RE: {subject}", links)
    if closed_at:
        gen.bump("hubspot", "tickets", ticket, closed_at, owner)
    return ("hubspot", "tickets", ticket["id"])
