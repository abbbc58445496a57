"""Roll-up pools per level (manager, director, VP): each its own budget, each act paid once
per level, never twice to the same person up one chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crediting_helpers import chain_acts, deal, scheme

from compensation.calculation.explain import pool_policy
from compensation.crediting import credit_deals
from compensation.inputs import Act, DealEvidence, Employee, ManagerSpan

D = Decimal

PEOPLE = {
    e.id: e
    for e in (
        Employee("M1", "Mara Marketing", role="marketing", team="mkt", manager="B1"),
        Employee("C1", "Cem Callcentre", role="call_centre", team="cc", manager="B1"),
        Employee("F1", "Fay Field", role="field_sales", team="north", manager="B2"),
        Employee("F2", "Finn Field", role="field_sales", team="south", manager="B3"),
        Employee("B1", "Bea Boss", role="manager", manager="D1"),
        Employee("B2", "Bo Boss", role="manager", manager="D1"),
        Employee("B3", "Bram Boss", role="manager", manager="B3"),  # data error: self
        Employee("D1", "Dee Director", role="director", manager="V1"),
        Employee("V1", "Val VP", role="vp"),
    )
}
LEVELS = {
    "manager": {"manager_of": "revenue", "budget": "10%"},
    "director": {"manager_of": "revenue", "level": 2, "budget": "5%"},
    "vp": {"manager_of": "revenue", "level": 3, "budget": "2%"},
}


def _pool_rows(evidence: DealEvidence) -> list[tuple[str, str, str | None, Decimal]]:
    result = credit_deals([evidence], scheme(pools=LEVELS), employees=PEOPLE)
    return [(c.pool, c.slot, c.employee, c.amount) for c in result.credits if c.pool != "revenue"]


def test_each_level_is_its_own_budget_over_the_same_shares() -> None:
    """Deal 1,000.01; revenue shares: lead_source M1 0.1, qualification C1 0.2, field_work
    F1 0.3, close F1 0.4. Chains: M1 and C1 -> B1 -> D1 -> V1; F1 -> B2 -> D1 -> V1.

        manager  10% of 1,000.01 = 100.001 -> 100.00: 10.00 / 20.00 / 30.00 / 40.00
                 (B1, B1, B2, B2)
        director  5% of 1,000.01 =  50.0005 -> 50.00:  5.00 / 10.00 / 15.00 / 20.00 (D1)
        vp        2% of 1,000.01 =  20.0002 -> 20.00:  2.00 /  4.00 /  6.00 /  8.00 (V1)"""
    assert _pool_rows(DealEvidence(deal("D1", "1000.01"), chain_acts())) == [
        ("manager", "lead_source", "B1", D("10.00")),
        ("manager", "qualification", "B1", D("20.00")),
        ("manager", "field_work", "B2", D("30.00")),
        ("manager", "close", "B2", D("40.00")),
        ("director", "lead_source", "D1", D("5.00")),
        ("director", "qualification", "D1", D("10.00")),
        ("director", "field_work", "D1", D("15.00")),
        ("director", "close", "D1", D("20.00")),
        ("vp", "lead_source", "V1", D("2.00")),
        ("vp", "qualification", "V1", D("4.00")),
        ("vp", "field_work", "V1", D("6.00")),
        ("vp", "close", "V1", D("8.00")),
    ]


def test_a_short_or_looping_chain_never_pays_an_act_twice() -> None:
    """F2 closes a 100.00 deal alone; F2's manager B3 is recorded as their own manager.
    Manager pool (10% = 10.00): B3. Director level: B3's manager is B3 again, who already
    holds this act one level down, so nobody: the 5.00 is unclaimed (house credit, the
    roll-up default); VP level likewise 2.00."""
    evidence = DealEvidence(
        deal("D2", "100.00"), (Act("c", "deal_owner", "F2", chain_acts()[0].at),)
    )
    assert _pool_rows(evidence) == [
        ("manager", "close", "B3", D("10.00")),
        ("director", "close", None, D("5.00")),
        ("vp", "close", None, D("2.00")),
    ]


def test_the_hierarchy_is_effective_dated_by_the_deals_close_date() -> None:
    """F1 reports to B2 until 14 October 2026 and to B1 from 15 October; B1 reports to D1
    throughout. Two deals of 100.00 closed by F1 alone: on 10 October (manager B2,
    director D1, VP V1) and on 20 October (manager B1, director D1, VP V1).
    Budgets: 10% = 10.00, 5% = 5.00, 2% = 2.00 on each deal."""
    owner = chain_acts()[0].at
    moves = (
        ManagerSpan("F1", "B2", date(2026, 1, 1), date(2026, 10, 14)),
        ManagerSpan("F1", "B1", date(2026, 10, 15)),
    )
    early = DealEvidence(deal("E1", "100.00", 10), (Act("e", "deal_owner", "F1", owner),))
    late = DealEvidence(deal("L1", "100.00", 20), (Act("l", "deal_owner", "F1", owner),))
    result = credit_deals([late, early], scheme(pools=LEVELS), employees=PEOPLE, hierarchy=moves)
    assert [
        (c.deal, c.pool, c.employee, c.amount) for c in result.credits if c.pool != "revenue"
    ] == [
        ("E1", "manager", "B2", D("10.00")),
        ("E1", "director", "D1", D("5.00")),
        ("E1", "vp", "V1", D("2.00")),
        ("L1", "manager", "B1", D("10.00")),
        ("L1", "director", "D1", D("5.00")),
        ("L1", "vp", "V1", D("2.00")),
    ]


def test_plan_explain_states_each_levels_policy() -> None:
    levels = scheme(pools=LEVELS)
    assert pool_policy(levels, "director") == (
        "roll-up of revenue to the manager 2 levels up, budget 5%: shares of payees with "
        "nobody 2 levels up are kept by the company (house credit) (unclaimed: "
        "return_to_company)"
    )
