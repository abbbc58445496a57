"""Field-sales journeys that close in Salesforce.

The long one is the six-step chain: marketing captures a web lead in HubSpot, the call
centre qualifies it by phone, a field rep visits, the customer writes back, the call centre
answers, the field rep closes. The short one starts at a trade show (Campaign member).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sandbox.generator.activities import Ref, hs_activity, sf_event, sf_task
from sandbox.generator.chain import Chain, amount, currency_for, decide_outcome
from sandbox.generator.context import Employee, Gen
from sandbox.generator.customers import org_record, person_record
from sandbox.generator.followups import next_step
from sandbox.generator.population import Person
from sandbox.store import Record

__all__ = ["build_campaigns", "sf_journey"]

_OPEN_STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote")
_PROBABILITY = {"Prospecting": 10.0, "Qualification": 20.0, "Needs Analysis": 30.0}
_WEB_SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA")
_SHOWS = ("Analytica", "Pittcon", "Achema", "Lab Expo")
_PRODUCTS = ("HPLC system", "Mass spectrometer", "Spectrophotometer", "Service contract")


def build_campaigns(gen: Gen, count: int) -> list[Record]:
    campaigns = []
    for i in range(count):
        start = gen.at_between(gen.start, gen.anchor - timedelta(days=30))
        owner = gen.pick("leadership", start, "salesforce")
        record = gen.sf(
            "Campaign",
            {
                "Name": f"{_SHOWS[i % len(_SHOWS)]} {start.year} #{i}",
                "Type": "Trade Show",
                "Status": "Completed",
                "StartDate": start.date(),
                "EndDate": start.date() + timedelta(days=3),
                "IsActive": False,
            },
            start - timedelta(days=20),
            owner,
        )
        campaigns.append(record)
    return campaigns


def _web_start(gen: Gen, p: Person, chain: Chain, t: datetime) -> tuple[Record, datetime]:
    """Steps 1-2: web capture in HubSpot, phone qualification, Salesforce Lead."""
    marketer = gen.pick("marketing", t, "hubspot")
    source = gen.rng.choice(_WEB_SOURCES)
    contact = person_record(
        gen,
        p,
        "hubspot",
        "contacts",
        t,
        marketer,
        extra={"hs_analytics_source": source, "hs_latest_source": source},
    )
    chain.add("lead_source", "web", marketer, ("hubspot", "contacts", contact["id"]), t)
    agent = gen.pick("call_centre", t, "salesforce")
    # Only a lead that is new now can be answered slowly (repeat customers already exist).
    slow = agent.has("slow_response") and contact["createdate"] == t
    t_call = gen.later(t, 80, 240) if slow else gen.later(t, 0.5, 24)
    company = gen.world.hubspot_associations.get("contacts", contact["id"], "companies")
    call = hs_activity(
        gen,
        "calls",
        t_call,
        agent,
        "Qualification call",
        {"contacts": contact["id"], "companies": next(iter(company), None)},
    )
    chain.add("qualification", "phone", agent, call, t_call)
    if slow:
        hours = int((t_call - contact["createdate"]).total_seconds() // 3600)
        gen.problem(agent, "slow_lead_response", "hubspot", "contacts", contact["id"], f"{hours}")
    contact.update(hs_lead_status="CONNECTED", lifecyclestage="salesqualifiedlead")
    gen.bump("hubspot", "contacts", contact, t_call, agent)
    lead = person_record(
        gen,
        p,
        "salesforce",
        "Lead",
        t_call,
        agent,
        extra={"LeadSource": "Web", "Status": "Working - Contacted"},
    )
    return lead, t_call


def _event_start(
    gen: Gen, p: Person, chain: Chain, campaign: Record, rep: Employee
) -> tuple[Record, datetime]:
    t = datetime.combine(campaign["StartDate"], time(10), UTC) + timedelta(
        minutes=gen.rng.randrange(0, 3 * 24 * 60)
    )
    source = None if rep.has("no_lead_source") else "Trade Show"
    lead = person_record(
        gen,
        p,
        "salesforce",
        "Lead",
        t,
        rep,
        extra={"LeadSource": source, "Status": "Open - Not Contacted"},
    )
    if source is None:
        gen.problem(rep, "no_lead_source", "salesforce", "Lead", lead["Id"], "LeadSource")
    member = gen.sf(
        "CampaignMember",
        {
            "CampaignId": campaign["Id"],
            "LeadId": lead["Id"],
            "Status": "Responded",
            "HasResponded": True,
            "FirstRespondedDate": t.date(),
        },
        t,
        rep,
    )
    chain.add("lead_source", "event", rep, ("salesforce", "CampaignMember", member["Id"]), t)
    return lead, t


def sf_journey(gen: Gen, p: Person, t0: datetime, campaign: Record | None) -> None:
    """A Salesforce-closed deal: the six-step chain, or from a trade show if ``campaign``."""
    rng = gen.rng
    chain = Chain(p)
    six_step = campaign is None
    if campaign is None:
        lead, t = _web_start(gen, p, chain, t0)
    else:
        rep0 = gen.pick("field_sales", t0)
        lead, t = _event_start(gen, p, chain, campaign, rep0)
    rep = gen.pick("field_sales", t, "salesforce")
    t_visit = gen.later(t, 24, 24 * 14)
    t_close = gen.later(t_visit, 24 * 5, 24 * 60)
    stale = (
        rep.has("stale_deals") and rng.random() < 0.6 and t_visit < gen.anchor - timedelta(days=75)
    )
    if stale:
        t_close = t_visit + timedelta(days=rng.randrange(20, 40))
    outcome = decide_outcome(gen, t_close if not stale else gen.anchor + timedelta(days=1))
    outcome.close_at = t_close
    late_entry = rep.has("late_deal_entry") and outcome.closed
    t_conv = outcome.close_at - timedelta(hours=rng.randrange(0, 20)) if late_entry else t_visit
    value = amount(gen, 5_000, 250_000)
    currency = currency_for(gen, p)
    opp, contact = _convert(gen, p, lead, rep, t_conv, value, currency, outcome, campaign)
    opp_id = opp["Id"]
    if late_entry:
        gen.problem(rep, "deal_created_at_close", "salesforce", "Opportunity", opp_id, "")
    # Step 3: the visit (unless the rep never logs anything).
    who, what = (lead["Id"], None) if late_entry else (contact["Id"], opp_id)
    visit: Ref | None = None
    if not rep.has("no_activity_logging"):
        visit = sf_event(gen, t_visit, rep, "Visit", who, what, p.org.city.city)
    chain.add("field_work", "meeting", rep, visit, t_visit)
    t = t_visit
    if six_step and not stale:
        t = gen.later(t_visit, 24, 24 * 4)
        if rng.random() < 0.5 and not rep.has("no_activity_logging"):
            reply = sf_task(gen, t, rep, "Email", "RE: your quotation", who, what)
            chain.add("customer_reply", "email", None, reply, t)
            agent = gen.pick("call_centre", t, "hubspot")
        else:
            agent = gen.pick("call_centre", t, "hubspot")
            hs_contact = p.records[("hubspot", "contacts")][0]
            reply = hs_activity(
                gen,
                "emails",
                t,
                agent,
                "Question about delivery",
                {"contacts": hs_contact},
                "INCOMING_EMAIL",
            )
            chain.add("customer_reply", "email", None, reply, t)
        t = gen.later(t, 1, 30)
        hs_contact = p.records[("hubspot", "contacts")][0]
        kind = rng.choice(("calls", "emails"))
        answer = hs_activity(gen, kind, t, agent, "Answer on delivery", {"contacts": hs_contact})
        chain.add("service_answer", "phone" if kind == "calls" else "email", agent, answer, t)
    if outcome.closed:
        chain.add(
            "close",
            rng.choice(("meeting", "phone", "email")),
            rep,
            ("salesforce", "Opportunity", opp_id),
            outcome.close_at,
        )
        if outcome.won and rep.has("no_activity_logging"):
            gen.problem(rep, "no_activity_on_won_deal", "salesforce", "Opportunity", opp_id, "")
        gen.bump("salesforce", "Opportunity", opp, outcome.close_at, rep)
    elif stale:
        gen.problem(
            rep,
            "stale_open_deal",
            "salesforce",
            "Opportunity",
            opp_id,
            f"last activity {t_visit.date().isoformat()}",
        )
    chain.finish(
        gen,
        ("salesforce", "Opportunity", opp_id),
        value,
        currency,
        opp["StageName"],
        outcome,
        opp["CreatedDate"],
        rep,
    )


def _convert(gen, p, lead, rep, at, value, currency, outcome, campaign):
    """Lead conversion: Account, Contact and Opportunity (with contact roles)."""
    rng = gen.rng
    account = org_record(gen, p.org, "salesforce", at, rep)
    contact = person_record(
        gen,
        p,
        "salesforce",
        "Contact",
        at,
        rep,
        extra={"AccountId": account, "LeadSource": lead["LeadSource"]},
        allow_duplicate=False,
        converted=True,
    )
    if outcome.closed:
        stage = "Closed Won" if outcome.won else "Closed Lost"
        prob, forecast = (100.0, "Closed") if outcome.won else (0.0, "Omitted")
    else:
        stage = rng.choice(_OPEN_STAGES)
        prob, forecast = _PROBABILITY.get(stage, 75.0), "Pipeline"
    opp = gen.sf(
        "Opportunity",
        {
            "Name": f"{p.org.stem.stem} - {rng.choice(_PRODUCTS)}",
            "AccountId": account,
            "StageName": stage,
            "CloseDate": outcome.close_date,
            "Amount": value,
            "CurrencyIsoCode": currency,
            "Probability": prob,
            "IsClosed": outcome.closed,
            "IsWon": outcome.won,
            "ForecastCategoryName": forecast,
            "LeadSource": lead["LeadSource"],
            "CampaignId": campaign["Id"] if campaign else None,
            "OwnerId": rep.sf_user,
            "Type": "New Business",
            "Region__c": "International" if p.org.iberian else p.org.city.region,
            "NextStep": next_step(rep, at, p.org.stem.stem, not outcome.closed),
        },
        at,
        rep,
    )
    if not lead["IsConverted"]:
        lead.update(
            IsConverted=True,
            ConvertedDate=at.date(),
            ConvertedAccountId=account,
            ConvertedContactId=contact["Id"],
            ConvertedOpportunityId=opp["Id"],
            Status="Closed - Converted",
        )
        gen.bump("salesforce", "Lead", lead, at, rep)
    roles = [(contact["Id"], "Decision Maker", True)]
    colleagues = [
        q.records[("salesforce", "Contact")][0]
        for q in p.org.people
        if q is not p and ("salesforce", "Contact") in q.records
    ]
    if colleagues and rng.random() < 0.4:
        roles.append((colleagues[0], "Technical Buyer", False))
    for contact_id, role, primary in roles:
        gen.sf(
            "OpportunityContactRole",
            {
                "OpportunityId": opp["Id"],
                "ContactId": contact_id,
                "Role": role,
                "IsPrimary": primary,
            },
            at,
            rep,
        )
    return opp, contact
