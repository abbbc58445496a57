"""``generate``: one deterministic synthetic company per (seed, scale, anchor)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sandbox.generator.b2c import add_b2c
from sandbox.generator.cases import make_case
from sandbox.generator.context import Gen
from sandbox.generator.corruption import HARD, CorruptionRates
from sandbox.generator.dynamics_company import add_dynamics_company
from sandbox.generator.dynamics_custom import add_dynamics_custom_tables
from sandbox.generator.filler import add_activities, add_subscribers
from sandbox.generator.journeys_other import hubspot_journey, zoho_journey
from sandbox.generator.journeys_sf import build_campaigns, sf_journey
from sandbox.generator.keap_company import add_keap_company
from sandbox.generator.oracle_company import add_oracle_company
from sandbox.generator.oracle_credits import add_oracle_sales_credits
from sandbox.generator.oracle_teams import add_oracle_deal_teams
from sandbox.generator.population import Person, build_population
from sandbox.generator.products import add_products
from sandbox.generator.shop_keap_oracle import (
    add_keap_store_visits,
    add_oracle_orders,
    add_oracle_store_visits,
)
from sandbox.generator.staff import build_staff
from sandbox.generator.store_visits import add_store_visits
from sandbox.generator.sugarcrm_company import add_sugarcrm_company
from sandbox.generator.sugarcrm_custom import add_sugarcrm_custom_modules
from sandbox.history import seed_history
from sandbox.hubspot.currencies import portal_rates
from sandbox.salesforce.schema_currency import enable_dated_rates
from sandbox.world import SCALES, World

__all__ = ["ACTIVITY_OBJECTS", "SCALE_PLANS", "ScalePlan", "generate"]

ACTIVITY_OBJECTS = {
    "salesforce": ("Task", "Event"),
    "hubspot": ("calls", "emails", "meetings", "notes", "tasks"),
    "zoho": ("Calls", "Tasks", "Events"),
}


@dataclass(frozen=True)
class ScalePlan:
    """How big the company is; ``records`` is the target total, ~60% activities."""

    employees: int
    orgs: int
    people: int
    journeys: int
    cases: int
    campaigns: int
    records: int


SCALE_PLANS = {
    "tiny": ScalePlan(15, 10, 40, 14, 8, 2, 400),
    "small": ScalePlan(40, 150, 700, 200, 100, 6, 5_000),
    "medium": ScalePlan(150, 3_000, 14_000, 4_000, 2_000, 30, 100_000),
    "large": ScalePlan(600, 30_000, 140_000, 40_000, 20_000, 120, 1_650_000),
}


def _activity_count(world: World) -> int:
    return sum(
        len(getattr(world, crm)[obj].rows) for crm, objs in ACTIVITY_OBJECTS.items() for obj in objs
    )


def _record_count(world: World) -> int:
    return sum(
        len(t.rows) for crm in (world.salesforce, world.hubspot, world.zoho) for t in crm.values()
    )


def generate(
    seed: int,
    scale: str,
    anchor: datetime,
    corruption: CorruptionRates = HARD,
    b2c: bool = True,
    dated_rates: bool = False,
) -> World:
    """The synthetic company "Altamira Instruments", identical for the same arguments.

    ``corruption`` is the profile of errors on every later copy of a person; another
    profile changes only the copies' values, never which records exist. ``b2c`` (on by
    default) adds the consumer line (``b2c.py``: person accounts in Salesforce, and the
    consumers' orders) after everything else;
    ``dated_rates`` turns on Salesforce's dated exchange rates (``DatedConversionRate``).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if anchor.tzinfo is None:
        raise ValueError("anchor must be timezone-aware")
    plan = SCALE_PLANS[scale]
    world = World.empty(seed, scale, anchor)
    world.history.paused = True  # the story's history is drawn at the end (seed_history)
    rng = random.Random(f"altamira:{seed}:{scale}")
    gen = Gen(world, rng, anchor, corruption)
    build_staff(gen, plan.employees)
    orgs, people = build_population(rng, gen.names, plan.orgs, plan.people, iberian_share=0.2)
    campaigns = build_campaigns(gen, plan.campaigns)
    customers = _run_journeys(gen, plan, people, campaigns)
    with_deal = {p.identity for p in customers}
    add_subscribers(gen, [p for p in people if p.identity not in with_deal])
    for _ in range(plan.cases):
        make_case(gen, rng.choice(customers))
    remaining = plan.records - _record_count(world)
    target_activities = int(plan.records * 0.6)
    add_activities(gen, max(remaining, target_activities - _activity_count(world)))
    gen.corruption.apply_imports(world, gen.start)
    add_products(gen)  # last, with its own random stream: no other record changes
    add_store_visits(gen)  # the same
    add_dynamics_company(world, anchor)  # the same
    add_sugarcrm_company(world, anchor)  # the same
    add_keap_company(world, anchor)  # the same
    add_oracle_company(world, anchor)  # the same
    world.sequences["identity:P"] = len(people)
    world.sequences["identity:O"] = len(orgs)
    world.sequences["identity:E"] = len(gen.staff)
    world.history.paused = False
    seed_history(world)
    # The optional lines come after the seeded history, which they would otherwise shift:
    # a world without them is the same record for record, history included. Their own
    # records carry no seeded history.
    world.history.paused = True
    add_oracle_store_visits(world, anchor)  # own random streams: no other record changes
    add_keap_store_visits(world, anchor)
    add_oracle_deal_teams(world, anchor)
    if b2c:
        add_b2c(gen)  # last, with its own random stream: no other record changes
        # the DACH subsidiary's and the Benelux distributor's store visits and orders,
        # in custom tables and modules of their CRMs (their own random streams too)
        add_dynamics_custom_tables(world, anchor)
        add_sugarcrm_custom_modules(world, anchor)
        add_oracle_orders(world, anchor)
    add_oracle_sales_credits(world, anchor)  # after every Oracle record: no id moves
    if dated_rates:
        admin = next((e.sf_user for e in gen.staff if e.sf_user), None)
        enable_dated_rates(
            world.salesforce,
            lambda name: world.mint("salesforce", name),
            admin,
            gen.start.date(),
            (anchor - timedelta(days=1)).date(),
            f"altamira:{seed}:{scale}",
        )
        rates = world.salesforce["DatedConversionRate"].rows.values()
        world.hubspot_rates = portal_rates(gen.start.date(), rates)
    world.history.paused = False
    return world


def _run_journeys(gen: Gen, plan: ScalePlan, people: list[Person], campaigns: list) -> list[Person]:
    """Draw every journey first, then play them in time order so that records made by an
    earlier journey exist before a later one reuses them. Each person buys once."""
    rng = gen.rng
    pools = {
        True: [p for p in people if p.org.iberian],
        False: [p for p in people if not p.org.iberian],
    }
    for pool in pools.values():
        rng.shuffle(pool)
    drawn = []
    for i in range(plan.journeys):
        roll = (i * 0.6180339887) % 1.0  # an even spread of journey kinds, even when tiny
        kind = (
            "six"
            if roll < 0.35
            else "event"
            if roll < 0.55
            else "hubspot"
            if roll < 0.8
            else "zoho"
        )
        if kind == "event" and not campaigns:
            kind = "six"
        pool = pools[kind == "zoho"] or pools[kind != "zoho"]
        person = pool.pop() if pool else rng.choice(people)
        campaign = rng.choice(campaigns) if kind == "event" else None
        if campaign is not None:
            t0 = datetime.combine(campaign["StartDate"], time(9), UTC)
        else:
            margin = {"six": 35, "hubspot": 20, "zoho": 30}[kind]
            t0 = gen.at_between(gen.start, gen.anchor - timedelta(days=margin))
        drawn.append((t0, i, kind, person, campaign))
    drawn.sort(key=lambda d: (d[0], d[1]))
    for t0, _, kind, person, campaign in drawn:
        if kind in ("six", "event"):
            sf_journey(gen, person, t0, campaign)
        elif kind == "hubspot":
            hubspot_journey(gen, person, t0)
        else:
            zoho_journey(gen, person, t0)
    return [d[3] for d in drawn]
