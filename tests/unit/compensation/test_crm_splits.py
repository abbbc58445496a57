"""CRM split rows become credits whose amounts sum exactly to the deal amount, allocated by
largest remainder with a stated tie-break, the same in any row order; currency is
converted after splitting, line by line."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from crediting_helpers import chain_acts, scheme
from crediting_helpers import deal as crediting_deal
from engine_helpers import RATES, book, deal, inputs
from engine_helpers import plan as plan_body

from compensation.calculation import run_period
from compensation.crediting import CreditingError, credit_deals
from compensation.crediting.splits import SplitRow, split_credits
from compensation.inputs import DealEvidence, Employee
from compensation.plans import Period

D = Decimal


def test_cents_go_by_largest_remainder_not_by_each_rows_rounded_amount() -> None:
    """Deal 1,000.01 split 50% / 25% / 25%: exact 500.005, 250.0025, 250.0025. Floors
    500.00 + 250.00 + 250.00 = 1,000.00; the one cent left goes to the largest remainder
    (0.005 > 0.0025): 500.01, 250.00, 250.00 = 1,000.01. (The CRM's own rounded
    SplitAmount, 500.01 + 250.00 + 250.00, happens to agree here; below it does not.)"""
    sale = deal("d1", "1000.01", date(2026, 10, 5))
    rows = [SplitRow("R1", D(50)), SplitRow("R2", D(25)), SplitRow("B1", D(25))]
    credits = split_credits(sale, rows)
    assert [(c.employee, c.share, c.amount) for c in credits] == [
        ("B1", D("0.25"), D("250.00")),
        ("R1", D("0.5"), D("500.01")),
        ("R2", D("0.25"), D("250.00")),
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_tie_goes_to_the_smaller_employee_id_in_any_row_order(order: tuple[int, ...]) -> None:
    """Deal 100.00 split in three equal thirds (33.3333...% each, as the CRM stores 1/3):
    exact 33.3333... each; floors 33.33 x 3 = 99.99; one cent left, remainders equal, so
    it goes to the smallest employee id, B1: 33.34, 33.33, 33.33 = 100.00. The CRM's
    SplitAmount rows (33.33 each) would sum to 99.99."""
    sale = deal("d1", "100.00", date(2026, 10, 5))
    third = D(100) / 3
    rows = [SplitRow("R2", third), SplitRow("B1", third), SplitRow("R1", third)]
    credits = split_credits(sale, [rows[i] for i in order])
    assert [(c.employee, c.amount) for c in credits] == [
        ("B1", D("33.34")),
        ("R1", D("33.33")),
        ("R2", D("33.33")),
    ]


def test_currency_is_converted_after_splitting() -> None:
    """EUR 100.01 split 50/50: 50.01 EUR (R1, the smaller id takes the tied cent) and
    50.00 EUR (R2). Each line is converted at the close-date rate 1.25 and its commission
    (2% tier 1) rounded: R1 50.01 x 1.25 = 62.5125 USD, x 2% = 1.25025 -> 1.25;
    R2 50.00 x 1.25 = 62.50 USD, x 2% = 1.25."""
    sale = deal("d1", "100.01", date(2026, 10, 5), currency="EUR")
    credits = split_credits(sale, [SplitRow("R2", D(50)), SplitRow("R1", D(50))])
    assert [(c.employee, c.amount, c.currency) for c in credits] == [
        ("R1", D("50.01"), "EUR"),
        ("R2", D("50.00"), "EUR"),
    ]
    result = run_period(inputs([sale], credits), book(), Period.parse("2026-Q4"), RATES)
    paid = {}
    for who in ("R1", "R2"):
        rep = result.employee(who)
        assert rep is not None
        (line,) = rep.lines
        paid[who] = (line.converted_amount, line.amount)
    assert paid == {"R1": (D("62.5125"), D("1.25")), "R2": (D("62.5000"), D("1.25"))}


def test_percentages_that_do_not_sum_to_100_are_refused() -> None:
    sale = deal("d1", "100.00", date(2026, 10, 5))
    with pytest.raises(ValueError, match="split percentages of deal d1 sum to 90"):
        split_credits(sale, [SplitRow("R1", D(60)), SplitRow("R2", D(30))])


def test_a_split_fills_the_revenue_pool_and_the_manager_pool_follows_it() -> None:
    """Deal 1,000.01 whose acts would credit M1/C1/F1, split instead 70% F1 / 30% F2:
    revenue 700.007 -> 700.01 (larger remainder) and 300.003 -> 300.00; the manager pool
    (10% = 100.001 -> 100.00) rolls up the split owners: B2 (F1's manager) 70.00 and B3
    (F2's) 30.00 — not the managers of the acts' payees."""
    people = {
        e.id: e
        for e in (
            Employee("M1", "M", role="marketing", manager="B1"),
            Employee("C1", "C", role="call_centre", manager="B1"),
            Employee("F1", "F", role="field_sales", manager="B2"),
            Employee("F2", "G", role="field_sales", manager="B3"),
            Employee("B1", "B", role="manager"),
            Employee("B2", "B", role="manager"),
            Employee("B3", "B", role="manager"),
        )
    }
    plan = scheme(pools={"manager": {"manager_of": "revenue", "budget": "10%"}})
    evidence = DealEvidence(crediting_deal("D1", "1000.01"), chain_acts())
    rows = [SplitRow("F2", D(30)), SplitRow("F1", D(70))]
    result = credit_deals(
        [evidence], plan, employees=people, splits={"D1": {"revenue": rows}}, explain=True
    )
    assert [(c.pool, c.slot, c.employee, c.share, c.amount, c.acts) for c in result.credits] == [
        ("revenue", "split", "F1", D("0.7"), D("700.01"), ()),
        ("revenue", "split", "F2", D("0.3"), D("300.00"), ()),
        ("manager", "split", "B2", D("0.7"), D("70.00"), ()),
        ("manager", "split", "B3", D("0.3"), D("30.00"), ()),
    ]
    assert result.credits[0].note == "CRM split: 70%"
    slots = result.explanations["D1"].slots
    assert [(s.pool, s.slot, s.employees, s.weight) for s in slots[:2]] == [
        ("revenue", "split", ("F1",), D("0.7")),
        ("revenue", "split", ("F2",), D("0.3")),
    ]
    # the same cents as split_credits, whose tie-break it shares
    assert [(c.employee, c.amount) for c in result.credits[:2]] == [
        (c.employee, c.amount) for c in split_credits(evidence.deal, rows)
    ]


def test_a_split_not_summing_to_100_is_a_crediting_error() -> None:
    evidence = DealEvidence(crediting_deal("D1", "10"), chain_acts())
    with pytest.raises(CreditingError, match="sum to 90, not 100"):
        credit_deals(
            [evidence], scheme(), employees={}, splits={"D1": {"revenue": [SplitRow("F1", D(90))]}}
        )


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_a_split_filled_pool_has_the_cents_of_split_credits_in_any_row_order(
    order: tuple[int, ...],
) -> None:
    """Deal 100.00 in three thirds through credit_deals: 33.34 to the smallest id B1,
    33.33 to R1 and R2, whatever the row order — as split_credits gives."""
    third = D(100) / 3
    rows = [SplitRow("R2", third), SplitRow("B1", third), SplitRow("R1", third)]
    ordered = [rows[i] for i in order]
    evidence = DealEvidence(crediting_deal("D1", "100.00"), chain_acts())
    result = credit_deals([evidence], scheme(), employees={}, splits={"D1": {"revenue": ordered}})
    assert [(c.employee, c.amount) for c in result.credits] == [
        ("B1", D("33.34")),
        ("R1", D("33.33")),
        ("R2", D("33.33")),
    ]


def test_an_override_fills_its_pool_and_only_the_split_lines_say_whose_split() -> None:
    """An admin's override of deal d1 (1,000.00 USD, closed 5 October): R1 60%, R2 40%,
    both managed by B1; a manager pool of 10%. Revenue: 600.00 and 400.00 (slot
    ``override``); manager pool 100.00 to B1. At a flat 10% on both pools: R1 60.00,
    R2 40.00, B1 10.00. The sellers' lines carry the override's note; the manager's line
    (a roll-up of it) does not pass its roll-up note off as the split."""
    label = "split set by Ana effective 2026-10-01: agreed"
    rows = [SplitRow("R1", D(60), "override", label), SplitRow("R2", D(40), "override", label)]
    sale = deal("d1", "1000.00", date(2026, 10, 5))
    plan = scheme(pools={"manager": {"manager_of": "revenue", "budget": "10%"}})
    people = {e.id: e for e in inputs([], []).employees}
    credited = credit_deals(
        [DealEvidence(sale, ())], plan, employees=people, splits={"d1": {"revenue": rows}}
    ).credits
    assert [(c.pool, c.slot, c.employee, c.amount) for c in credited] == [
        ("revenue", "override", "R1", D("600.00")),
        ("revenue", "override", "R2", D("400.00")),
        ("manager", "override", "B1", D("100.00")),
    ]
    flat = [
        {
            "name": "revenue",
            "kind": "commission",
            "pools": ["revenue", "manager"],
            "tiers": [{"from": "0%", "rate": "10%"}],
        }
    ]
    result = run_period(
        inputs([sale], credited),
        book(
            plan_body(components=flat),
            assignments=[{"plan": "field", "team": "field_sales", "from": "2025-01-01"}],
        ),
        Period.parse("2026-Q4"),
        RATES,
    )
    lines = {
        (e.employee, x.amount, x.detail.get("credit")) for e in result.employees for x in e.lines
    }
    assert lines == {
        ("R1", D("60.00"), f"{label}: 60%"),
        ("R2", D("40.00"), f"{label}: 40%"),
        ("B1", D("10.00"), None),
    }
