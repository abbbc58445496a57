"""Worked examples with hand-computed values: the six-step chain and its variations."""

from __future__ import annotations

import gc
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from crediting_helpers import EMPLOYEES, at, chain_acts, deal, scheme

from compensation.crediting import (
    CreditingError,
    CreditingResult,
    CreditScheme,
    DuplicateDealError,
    MissingEmployeesError,
    credit_deals,
)
from compensation.inputs import Act, Credit, DealEvidence

D = Decimal


def rows(result: CreditingResult) -> list[tuple[str, str, str | None, str, str, tuple[str, ...]]]:
    return [
        (c.pool, c.slot, c.employee, str(c.share), str(c.amount), c.acts) for c in result.credits
    ]


def totals(credits: list[Credit]) -> dict[str | None, Decimal]:
    paid: dict[str | None, Decimal] = defaultdict(Decimal)
    for c in credits:
        paid[c.employee] += c.amount
    return dict(paid)


def test_six_step_chain_pays_each_person_their_slot_share_once() -> None:
    evidence = DealEvidence(deal("D1", "1000.01"), chain_acts())
    result = credit_deals([evidence], scheme(), employees=EMPLOYEES)
    # exact shares 100.001 / 200.002 / 300.003 / 400.004: the spare cent goes to the
    # largest remainder, the close slot
    assert rows(result) == [
        ("revenue", "lead_source", "M1", "0.1", "100.00", ("a1-lead",)),
        ("revenue", "qualification", "C1", "0.2", "200.00", ("a2-qualify",)),
        ("revenue", "field_work", "F1", "0.3", "300.00", ("a3-visit",)),
        ("revenue", "close", "F1", "0.4", "400.01", ("a6-close",)),
    ]
    # I5: the field rep holds two slots and gets their sum, shown as two lines
    assert totals(result.credits) == {"M1": D("100.00"), "C1": D("200.00"), "F1": D("700.01")}
    assert all(c.currency == "EUR" and c.act_fractions == (D(1),) for c in result.credits)
    explanation = result.explanations["D1"]
    assert explanation.window == ("2025-10-10", "2026-10-10")
    # the customer's own e-mail earns nobody credit
    assert explanation.ignored == (("a4-customer", "no employee: the customer's own act"),)
    qualification = explanation.slots[1]
    # the call centre's answer was a candidate too, but the earliest act wins the slot
    assert qualification.candidates == ("a2-qualify", "a5-answer")
    assert qualification.filled_by == ("a2-qualify",)
    assert qualification.reason == (
        "earliest of 2 eligible act(s) (kinds touch; roles call_centre)"
    )


def test_clawback_mirrors_the_original_split() -> None:
    original = credit_deals(
        [DealEvidence(deal("D1", "1000.01"), chain_acts())], scheme(), employees=EMPLOYEES
    )
    clawback = credit_deals(
        [DealEvidence(deal("D1", "-1000.01"), chain_acts())], scheme(), employees=EMPLOYEES
    )
    assert [c.amount for c in clawback.credits] == [-c.amount for c in original.credits]
    assert [c.share for c in clawback.credits] == [c.share for c in original.credits]


def test_vacant_slot_redistributed_pro_rata() -> None:
    acts = tuple(a for a in chain_acts() if a.key != "a3-visit")
    result = credit_deals(
        [DealEvidence(deal("D1", "1000.01"), acts)], scheme(), employees=EMPLOYEES
    )
    # field work (0.3) is vacant: 0.1 / 0.2 / 0.4 become 1/7, 2/7, 4/7
    assert rows(result) == [
        ("revenue", "lead_source", "M1", "0.142857142857", "142.86", ("a1-lead",)),
        ("revenue", "qualification", "C1", "0.285714285714", "285.72", ("a2-qualify",)),
        ("revenue", "close", "F1", "0.571428571429", "571.43", ("a6-close",)),
    ]
    vacant = result.explanations["D1"].slots[2]
    assert vacant.vacant and vacant.slot == "field_work"
    assert vacant.reason == (
        "vacant: no free act matches (kinds touch; roles field_sales); spread pro rata"
    )


def test_vacant_slot_kept_by_the_house() -> None:
    acts = tuple(a for a in chain_acts() if a.key != "a3-visit")
    result = credit_deals(
        [DealEvidence(deal("D1", "1000.01"), acts)], scheme(vacancy="house"), employees=EMPLOYEES
    )
    assert rows(result) == [
        ("revenue", "lead_source", "M1", "0.1", "100.00", ("a1-lead",)),
        ("revenue", "qualification", "C1", "0.2", "200.00", ("a2-qualify",)),
        ("revenue", "field_work", None, "0.3", "300.00", ()),
        ("revenue", "close", "F1", "0.4", "400.01", ("a6-close",)),
    ]
    assert result.credits[2].note == "vacant slot: house credit"


def test_nothing_filled_is_all_house_credit_even_when_redistributing() -> None:
    acts = (Act("x", "touch", None, at(3)),)
    result = credit_deals([DealEvidence(deal("D1", "10.00"), acts)], scheme(), employees=EMPLOYEES)
    assert [(c.employee, c.amount) for c in result.credits] == [
        (None, D("1.00")),
        (None, D("2.00")),
        (None, D("3.00")),
        (None, D("4.00")),
    ]
    assert "no slot filled, house credit" in result.explanations["D1"].slots[0].reason


def test_act_behind_two_deals_is_apportioned_by_amount() -> None:
    shared = chain_acts()[0]  # one lead spawned two opportunities
    d1 = DealEvidence(deal("D1", "600.00"), (shared, Act("c1", "deal_owner", "F1", at(9))))
    d2 = DealEvidence(deal("D2", "400.00"), (shared, Act("c2", "deal_owner", "F2", at(9))))
    result = credit_deals([d2, d1], scheme(), employees=EMPLOYEES)
    lead_lines = [c for c in result.credits if c.slot == "lead_source"]
    assert [(c.deal, c.acts, c.act_fractions) for c in lead_lines] == [
        ("D1", ("a1-lead",), (D("0.6"),)),
        ("D2", ("a1-lead",), (D("0.4"),)),
    ]
    # the money follows each deal's own slot weights: lead 0.1 / close 0.4 → 1/5, 4/5
    assert [(c.deal, c.employee, c.amount) for c in result.credits] == [
        ("D1", "M1", D("120.00")),
        ("D1", "F1", D("480.00")),
        ("D2", "M1", D("80.00")),
        ("D2", "F2", D("320.00")),
    ]


def test_overlay_and_manager_pools_stay_separate() -> None:
    acts = (*chain_acts(), Act("s1-demo", "touch", "S1", at(6), channel="visit"))
    plan = scheme(
        pools={
            "overlay": {
                "budget": "50%",
                "slots": [{"name": "presales", "weight": 1, "roles": ["presales"]}],
            },
            "manager": {"manager_of": "revenue", "vacancy": "house"},
        }
    )
    result = credit_deals([DealEvidence(deal("D1", "1000.01"), acts)], plan, employees=EMPLOYEES)
    # I3: the revenue pool is exactly what it is without the extra pools
    plain = credit_deals([DealEvidence(deal("D1", "1000.01"), acts)], scheme(), employees=EMPLOYEES)
    assert [c for c in result.credits if c.pool == "revenue"] == plain.credits
    assert rows(result)[4:] == [
        # 50% budget of 1000.01 = 500.005 → 500.00 (half even)
        ("overlay", "presales", "S1", "1", "500.00", ("s1-demo",)),
        ("manager", "lead_source", "B1", "0.1", "100.00", ("a1-lead",)),
        ("manager", "qualification", "B1", "0.2", "200.00", ("a2-qualify",)),
        ("manager", "field_work", "B2", "0.3", "300.00", ("a3-visit",)),
        ("manager", "close", "B2", "0.4", "400.01", ("a6-close",)),
    ]
    assert result.credits[5].note == "manager of M1"


def test_manager_roll_up_without_a_manager() -> None:
    acts = (Act("c", "deal_owner", "F2", at(9)), Act("l", "lead_source", "M1", at(2)))
    house = scheme(pools={"manager": {"manager_of": "revenue", "vacancy": "house"}})
    spread = scheme(pools={"manager": {"manager_of": "revenue", "vacancy": "redistribute"}})
    evidence = [DealEvidence(deal("D1", "100.00"), acts)]
    by_house = [
        c for c in credit_deals(evidence, house, employees=EMPLOYEES).credits if c.pool == "manager"
    ]
    by_spread = [
        c
        for c in credit_deals(evidence, spread, employees=EMPLOYEES).credits
        if c.pool == "manager"
    ]
    assert [(c.slot, c.employee, c.amount, c.note) for c in by_house] == [
        ("lead_source", "B1", D("20.00"), "manager of M1"),
        ("close", None, D("80.00"), "no manager for F2"),
    ]
    assert [(c.slot, c.employee, c.amount) for c in by_spread] == [
        ("lead_source", "B1", D("100.00"))
    ]


@pytest.mark.parametrize(
    ("unclaimed", "expected"),
    [
        # Default: shares of payees without a manager go back to the company.
        (None, [("lead_source", "B1", D("70.00")), ("close", None, D("30.00"))]),
        ("return_to_company", [("lead_source", "B1", D("70.00")), ("close", None, D("30.00"))]),
        # Only when the pool says so does the one manager get the whole budget.
        ("redistribute", [("lead_source", "B1", D("100.00"))]),
    ],
)
def test_manager_pool_states_what_happens_to_shares_without_a_manager(
    unclaimed: str | None, expected: list[tuple[str, str | None, Decimal]]
) -> None:
    # Deal 1,000.00, manager budget 10% = 100.00. M1 (manager B1) holds the 70% lead
    # slot and F2 (no manager) the 30% close slot: B1's share is 70% x 100.00 = 70.00,
    # and 30% x 100.00 = 30.00 has no recipient. The scheme's vacancy is redistribute:
    # it does not leak into the roll-up pool.
    pool: dict[str, str] = {"manager_of": "revenue", "budget": "10%"}
    if unclaimed is not None:
        pool["unclaimed"] = unclaimed
    plan = scheme(
        slots=[
            {"name": "lead_source", "weight": "70%", "kinds": ["lead_source"]},
            {"name": "close", "weight": "30%", "kinds": ["deal_owner"]},
        ],
        pools={"manager": pool},
    )
    assert plan.vacancy == "redistribute"
    acts = (Act("c", "deal_owner", "F2", at(9)), Act("l", "lead_source", "M1", at(2)))
    result = credit_deals([DealEvidence(deal("D1", "1000.00"), acts)], plan, employees=EMPLOYEES)
    managers = [(c.slot, c.employee, c.amount) for c in result.credits if c.pool == "manager"]
    assert managers == expected
    assert plan.unclaimed_of("manager") == (unclaimed or "return_to_company")


def test_time_decay_slot_continuous_formula() -> None:
    plan = CreditScheme.model_validate(
        {"slots": [{"name": "calls", "weight": 1, "kinds": ["touch"], "pick": "time_decay"}]}
    )
    acts = (
        Act("t0", "touch", "C1", at(29)),
        Act("t7", "touch", "C2", at(22)),
        Act("t14", "touch", "C1", at(15)),
        Act("t28", "touch", "C2", at(1)),
    )
    result = credit_deals([DealEvidence(deal("D1", "290.00", close_day=29), acts)], plan)
    # default half-life 7 days, 2^(-age/7) for ages 0/7/14/28 before the latest act:
    # 16/29, 8/29, 4/29, 1/29; C1 holds 16 + 4, C2 holds 8 + 1
    # payees of a slot are listed in the order of their first act
    assert [(c.employee, c.share, c.amount, c.acts) for c in result.credits] == [
        ("C2", D("0.310344827586"), D("90.00"), ("t28", "t7")),
        ("C1", D("0.689655172414"), D("200.00"), ("t14", "t0")),
    ]
    assert result.explanations["D1"].slots[0].reason == (
        "all 4 eligible act(s), time decay half_life_continuous half-life 7 days (kinds touch)"
    )


def test_step_time_decay_exact_values() -> None:
    plan = CreditScheme.model_validate(
        {
            "slots": [
                {
                    "name": "calls",
                    "weight": 1,
                    "pick": "time_decay",
                    "time_decay": {"half_life_days": 7, "formula": "half_life_step"},
                }
            ]
        }
    )
    acts = (
        Act("t0", "touch", "C1", at(29)),
        Act("t7", "touch", "C2", at(22)),
        Act("t14", "touch", "F1", at(15)),
        Act("t28", "touch", "F2", at(1)),
    )
    result = credit_deals([DealEvidence(deal("D1", "29.00", close_day=29), acts)], plan)
    # raw 1, 1/2, 1/4, 1/16 → 16/29, 8/29, 4/29, 1/29 of 29.00
    assert [(c.employee, c.amount) for c in result.credits] == [
        ("F2", D("1.00")),
        ("F1", D("4.00")),
        ("C2", D("8.00")),
        ("C1", D("16.00")),
    ]


def test_lookback_window_and_acts_after_close_are_ignored() -> None:
    acts = (
        Act("old", "lead_source", "M1", at(1)),
        Act("late", "deal_owner", "F2", at(12)),
        Act("close", "deal_owner", "F1", at(10)),
    )
    result = credit_deals(
        [DealEvidence(deal("D1", "10.00"), acts)], scheme(lookback_days=5), employees=EMPLOYEES
    )
    assert [(c.slot, c.employee, c.amount) for c in result.credits] == [("close", "F1", D("10.00"))]
    assert result.explanations["D1"].ignored == (
        ("old", "before the 5-day lookback window"),
        ("late", "after the close date"),
    )


def test_errors_say_what_to_fix() -> None:
    evidence = DealEvidence(deal("D1", "1.00"), chain_acts())
    with pytest.raises(MissingEmployeesError, match="pass employees="):
        credit_deals([evidence], scheme())
    with pytest.raises(DuplicateDealError, match="'D1' appears more than once"):
        credit_deals([evidence, evidence], scheme(), employees=EMPLOYEES)


def test_explanations_can_be_skipped() -> None:
    evidence = DealEvidence(deal("D1", "1000.01"), chain_acts())
    full = credit_deals([evidence], scheme(), employees=EMPLOYEES)
    lean = credit_deals([evidence], scheme(), employees=EMPLOYEES, explain=False)
    assert lean.credits == full.credits and lean.explanations == {}


def test_w_shaped_strategy_finds_milestones_from_act_kinds() -> None:
    plan = CreditScheme.model_validate({"strategy": {"model": "w_shaped"}})
    acts = (
        Act("first", "campaign", "M1", at(1)),
        Act("call", "touch", "C1", at(2)),
        Act("lead", "lead_owner", "C2", at(3)),  # lead creation milestone
        Act("visit", "touch", "F1", at(4)),
        Act("deal", "deal_owner", "F2", at(5)),  # opportunity milestone
    )
    result = credit_deals([DealEvidence(deal("D1", "100.00"), acts)], plan)
    # 30% each to first touch, lead and opportunity; 10% over the two other touches
    assert [(c.slot, c.employee, c.share, c.amount) for c in result.credits] == [
        ("w_shaped", "M1", D("0.3"), D("30.00")),
        ("w_shaped", "C1", D("0.05"), D("5.00")),
        ("w_shaped", "C2", D("0.3"), D("30.00")),
        ("w_shaped", "F1", D("0.05"), D("5.00")),
        ("w_shaped", "F2", D("0.3"), D("30.00")),
    ]


def test_no_evidence_no_credits_and_deals_without_acts_go_to_the_house() -> None:
    assert credit_deals([], scheme(), employees=EMPLOYEES).credits == []
    result = credit_deals([DealEvidence(deal("D1", "0.03"))], scheme(), employees=EMPLOYEES)
    # 3 cents over 10/20/30/40%: exact 0.3/0.6/0.9/1.2 cents; floors give close 1 cent,
    # the 2 spare cents go to the largest remainders (field work 0.9, qualification 0.6)
    assert [(c.slot, c.employee, c.amount) for c in result.credits] == [
        ("lead_source", None, D("0.00")),
        ("qualification", None, D("0.01")),
        ("field_work", None, D("0.01")),
        ("close", None, D("0.01")),
    ]
    assert result.explanations["D1"].window == ("", "")


def test_the_garbage_collector_setting_is_restored() -> None:
    evidence = [DealEvidence(deal("D1", "1.00"), chain_acts())]
    assert gc.isenabled()
    credit_deals(evidence, scheme(), employees=EMPLOYEES)
    assert gc.isenabled()
    gc.disable()
    try:
        credit_deals(evidence, scheme(), employees=EMPLOYEES)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(MissingEmployeesError):
        credit_deals(evidence, scheme())
    assert gc.isenabled()


def test_an_act_listed_twice_counts_once_and_mixed_timezones_are_refused() -> None:
    twice = (*chain_acts(), chain_acts()[5])
    once = credit_deals(
        [DealEvidence(deal("D1", "1000.01"), chain_acts())], scheme(), employees=EMPLOYEES
    )
    again = credit_deals(
        [DealEvidence(deal("D1", "1000.01"), twice)], scheme(), employees=EMPLOYEES
    )
    assert again == once
    aware = Act("tz", "touch", "C1", datetime(2026, 10, 3, tzinfo=UTC))
    with pytest.raises(CreditingError, match="mix timezone-aware and naive"):
        credit_deals(
            [DealEvidence(deal("D1", "1.00"), (*chain_acts(), aware))],
            scheme(),
            employees=EMPLOYEES,
        )
