"""CRM split rows become credits whose amounts sum exactly to the deal amount, allocated by
largest remainder with a stated tie-break, the same in any row order; currency is
converted after splitting, line by line."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from engine_helpers import RATES, book, deal, inputs

from compensation.crediting.splits import SplitRow, split_credits
from compensation.engine import run_period
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
