"""Inside-sales deals closed by the call centre in HubSpot, and the Iberian
subsidiary's deals in Zoho."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.generator.activities import hs_activity, zoho_activity
from sandbox.generator.chain import Chain, amount, currency_for, decide_outcome, zoho_rate
from sandbox.generator.context import Gen
from sandbox.generator.customers import org_record, person_record
from sandbox.generator.followups import next_step
from sandbox.generator.population import Person
from sandbox.hubspot.schema import DEAL_PIPELINES

__all__ = ["hubspot_journey", "zoho_journey"]

_HS_OPEN = [s[0] for s in DEAL_PIPELINES[0][2] if not s[3]]
_ZOHO_OPEN = ("Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote")
_ZOHO_SOURCES = {"event": "Trade Show", "web": "Web Download", "phone": "Cold Call"}


def hubspot_journey(gen: Gen, p: Person, t: datetime) -> None:
    rng = gen.rng
    chain = Chain(p)
    agent = gen.pick("call_centre", t, "hubspot")
    assoc = gen.world.hubspot_associations
    if rng.random() < 0.5:
        marketer = gen.pick("marketing", t, "hubspot")
        contact = person_record(
            gen,
            p,
            "hubspot",
            "contacts",
            t,
            marketer,
            extra={"hs_analytics_source": "ORGANIC_SEARCH", "hs_latest_source": "ORGANIC_SEARCH"},
        )
        chain.add("lead_source", "web", marketer, ("hubspot", "contacts", contact["id"]), t)
    else:
        contact = person_record(
            gen,
            p,
            "hubspot",
            "contacts",
            t,
            agent,
            extra={"hs_analytics_source": "OFFLINE", "hs_latest_source": "OFFLINE"},
        )
        inbound = hs_activity(
            gen, "calls", t, agent, "Inbound enquiry", {"contacts": contact["id"]}, "INBOUND"
        )
        chain.add("lead_source", "phone", None, inbound, t)
    company = org_record(gen, p.org, "hubspot", t, agent)
    web_lead = chain.touches[0]["channel"] == "web" and contact["createdate"] == t
    slow = agent.has("slow_response") and web_lead
    t_q = gen.later(t, 80, 200) if slow else gen.later(t, 0.2, 20)
    links = {"contacts": contact["id"], "companies": company}
    call = hs_activity(gen, "calls", t_q, agent, "Qualification call", links)
    chain.add("qualification", "phone", agent, call, t_q)
    if slow:
        hours = int((t_q - contact["createdate"]).total_seconds() // 3600)
        gen.problem(agent, "slow_lead_response", "hubspot", "contacts", contact["id"], f"{hours}")
    outcome = decide_outcome(gen, gen.later(t_q, 24 * 2, 24 * 30), win_rate=0.5)
    value = amount(gen, 500, 15_000)
    currency = currency_for(gen, p)
    stage = (
        ("closedwon" if outcome.won else "closedlost") if outcome.closed else rng.choice(_HS_OPEN)
    )
    deal = gen.hs(
        "deals",
        {
            "dealname": f"{p.org.stem.stem} - consumables",
            "amount": value,
            "deal_currency_code": currency,
            "dealstage": stage,
            "pipeline": "default",
            "closedate": outcome.close_at,
            "dealtype": "newbusiness",
            "hs_is_closed": outcome.closed,
            "hs_is_closed_won": outcome.won,
            "hs_analytics_source": contact["hs_analytics_source"],
            "hs_next_step": next_step(agent, t_q, p.org.stem.stem, not outcome.closed),
        },
        t_q,
        agent,
    )
    assoc.add("deals", deal["id"], "contacts", contact["id"])
    assoc.add("deals", deal["id"], "companies", company, primary=True)
    links["deals"] = deal["id"]
    t_f = gen.later(t_q, 2, 40)
    if t_f < outcome.close_at:
        follow = hs_activity(gen, "emails", t_f, agent, "Your quotation", links)
        chain.add("other", "email", agent, follow, t_f)
    if outcome.closed:
        chain.add("close", "phone", agent, ("hubspot", "deals", deal["id"]), outcome.close_at)
        gen.bump("hubspot", "deals", deal, outcome.close_at, agent)
        if outcome.won:
            contact["lifecyclestage"] = "customer"
            gen.bump("hubspot", "contacts", contact, outcome.close_at, agent)
    chain.finish(
        gen,
        ("hubspot", "deals", deal["id"]),
        value,
        currency,
        stage,
        outcome,
        deal["createdate"],
        agent,
    )


def zoho_journey(gen: Gen, p: Person, t: datetime) -> None:
    rng = gen.rng
    chain = Chain(p)
    rep = gen.pick("iberia_sales", t, "zoho")
    channel = rng.choice(("event", "web", "phone"))
    source = None if rep.has("no_lead_source") else _ZOHO_SOURCES[channel]
    lead = person_record(gen, p, "zoho", "Leads", t, rep, extra={"Lead_Source": source})
    chain.add("lead_source", channel, rep, ("zoho", "Leads", lead["id"]), t)
    t_q = gen.later(t, 1, 72)
    call = zoho_activity(gen, "Calls", t_q, rep, "Primera llamada", who=lead["id"])
    chain.add("qualification", "phone", rep, call, t_q)
    t_v = gen.later(t_q, 24, 24 * 10)
    outcome = decide_outcome(gen, gen.later(t_v, 24 * 3, 24 * 45))
    late = rep.has("late_deal_entry") and outcome.closed
    t_conv = outcome.close_at - timedelta(hours=rng.randrange(0, 20)) if late else t_v
    account = org_record(gen, p.org, "zoho", t_conv, rep)
    contact = person_record(
        gen,
        p,
        "zoho",
        "Contacts",
        t_conv,
        rep,
        extra={"Lead_Source": source},
        allow_duplicate=False,
        converted=True,
    )
    lead.update(Converted__s=True, Converted_Date_Time=t_conv, Lead_Status="Contacted")
    gen.bump("zoho", "Leads", lead, t_conv, rep)
    value = amount(gen, 2_000, 80_000)
    currency = currency_for(gen, p)
    if outcome.closed:
        stage, prob = ("Closed Won", 100.0) if outcome.won else ("Closed Lost", 0.0)
    else:
        stage, prob = rng.choice(_ZOHO_OPEN), 40.0
    deal = gen.zo(
        "Deals",
        {
            "Deal_Name": f"{p.org.stem.stem} - equipo",
            "Stage": stage,
            "Amount": value,
            "Currency": currency,
            "Exchange_Rate": zoho_rate(gen, currency, t_conv),
            "Closing_Date": outcome.close_date,
            "Probability": prob,
            "Account_Name": account,
            "Contact_Name": contact["id"],
            "Lead_Source": source,
            "Pipeline": "Standard",
            "Type": "New Business",
            "Next_Step": next_step(rep, t_conv, p.org.stem.stem, not outcome.closed),
        },
        t_conv,
        rep,
    )
    gen.zoho_deals_by_org.setdefault(p.org.identity, []).append(deal["id"])
    if late:
        gen.problem(rep, "deal_created_at_close", "zoho", "Deals", deal["id"], "")
    if source is None:
        gen.problem(rep, "no_lead_source", "zoho", "Deals", deal["id"], "Lead_Source")
    what = None if late else ("Deals", deal["id"])
    visit = zoho_activity(
        gen, "Events", t_v, rep, "Visita", who=None if late else contact["id"], what=what
    )
    chain.add("field_work", "meeting", rep, visit, t_v)
    if outcome.closed:
        chain.add("close", "meeting", rep, ("zoho", "Deals", deal["id"]), outcome.close_at)
        gen.bump("zoho", "Deals", deal, outcome.close_at, rep)
    chain.finish(
        gen,
        ("zoho", "Deals", deal["id"]),
        value,
        currency,
        stage,
        outcome,
        deal["Created_Time"],
        rep,
    )
