"""The everyday background: newsletter subscribers and routine activities.

Routine activities never point at an opportunity or a deal, so the usage problems the
journeys inject (no activity on a won deal, stale open deals) stay true.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.generator.activities import hs_activity, sf_event, sf_task, zoho_activity
from sandbox.generator.context import Gen
from sandbox.generator.customers import person_record
from sandbox.generator.population import Person

__all__ = ["add_activities", "add_subscribers"]

_SOURCES = ("ORGANIC_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS")


def add_subscribers(gen: Gen, people: list[Person]) -> None:
    """People who only filled a form or met us at a stand; some reach a second CRM."""
    rng = gen.rng
    for p in people:
        t = gen.at_between(gen.start, gen.anchor - timedelta(days=1))
        if p.org.iberian and rng.random() < 0.6:
            rep = gen.pick("iberia_sales", t, "zoho")
            person_record(gen, p, "zoho", "Leads", t, rep, extra={"Lead_Source": "Web Download"})
            t = gen.later(t, 24, 24 * 30)  # some later sign up for the newsletter too
            if rng.random() < 0.7 or t >= gen.anchor:
                continue
        marketer = gen.pick("marketing", t, "hubspot")
        source = rng.choice(_SOURCES)
        person_record(
            gen,
            p,
            "hubspot",
            "contacts",
            t,
            marketer,
            extra={
                "hs_analytics_source": source,
                "hs_latest_source": source,
                "lifecyclestage": "subscriber",
            },
            imported=True,
        )
        if rng.random() < 0.2:
            # A purchased list or a rep's business card: the same person as a Salesforce Lead.
            t2 = gen.later(t, 24, 24 * 90)
            if t2 < gen.anchor:
                agent = gen.pick("call_centre", t2, "salesforce")
                person_record(
                    gen,
                    p,
                    "salesforce",
                    "Lead",
                    t2,
                    agent,
                    extra={"LeadSource": "Purchased List", "Status": "Open - Not Contacted"},
                    imported=True,
                )


def add_activities(gen: Gen, count: int) -> None:
    """``count`` routine activities on existing customer records, spread over the story."""
    if count <= 0:
        return
    rng = gen.rng
    world = gen.world
    end = gen.anchor - timedelta(minutes=5)
    hs_rows = world.hubspot["contacts"].rows
    hs_contacts = list(hs_rows)
    sf_rows = world.salesforce["Contact"].rows
    sf_contacts = list(sf_rows)
    lead_rows = world.salesforce["Lead"].rows
    sf_leads = [rid for rid, r in lead_rows.items() if not r["IsConverted"]]
    zoho_rows = world.zoho["Contacts"].rows
    zoho_contacts = list(zoho_rows)
    assoc = world.hubspot_associations
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5 and hs_contacts:
            cid = rng.choice(hs_contacts)
            # Newsletters and follow-ups start after the lead's first answer window.
            low = hs_rows[cid]["createdate"] + timedelta(days=11)
            if low >= end:
                continue  # too new for routine follow-ups
            t = gen.at_between(low, end)
            company = next(iter(assoc.get("contacts", cid, "companies")), None)
            links = {"contacts": cid, "companies": company}
            if roll < 0.3:
                owner = gen.pick("marketing", t, "hubspot")
                hs_activity(gen, "emails", t, owner, "Altamira newsletter", links, "EMAIL")
            else:
                owner = gen.pick("call_centre", t, "hubspot")
                kind = rng.choice(("notes", "tasks", "calls", "meetings"))
                hs_activity(gen, kind, t, owner, "Follow-up", links)
        elif roll < 0.8 and (sf_contacts or sf_leads):
            if sf_contacts and (rng.random() < 0.7 or not sf_leads):
                who = rng.choice(sf_contacts)
                record = sf_rows[who]
                what = record["AccountId"]
            else:
                who = rng.choice(sf_leads)
                record, what = lead_rows[who], None
            t = gen.at_between(record["CreatedDate"], end)
            owner = gen.pick(rng.choice(("field_sales", "call_centre")), t, "salesforce")
            if roll < 0.75:
                subtype = rng.choice(("Call", "Email", "Task"))
                call_type = "Outbound" if subtype == "Call" else None
                sf_task(gen, t, owner, subtype, f"{subtype} follow-up", who, what, call_type)
            else:
                sf_event(gen, t, owner, "Customer visit", who, what)
        elif zoho_contacts:
            who = rng.choice(zoho_contacts)
            record = zoho_rows[who]
            t = gen.at_between(record["Created_Time"], end)
            team = "iberia_sales" if rng.random() < 0.5 else "service"
            owner = gen.pick(team, t, "zoho")
            kind = rng.choice(("Calls", "Tasks", "Events"))
            account = record["Account_Name"]
            what = ("Accounts", account) if account else None
            zoho_activity(gen, kind, t, owner, "Seguimiento", who, what)
