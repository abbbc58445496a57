"""Overlay credit from a CRM's split is not validated to 100%: each employee is credited
their percentage of the deal, rounded half-even on its own, on top of the revenue credit,
whatever the set's total. A revenue split still must total 100%. Figures by hand."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from engine_helpers import BOSS, RATES, REP, REP2, book, deal, inputs
from engine_helpers import plan as plan_body
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.calculation import run_period
from compensation.crediting import CreditingError, CreditScheme, credit_deals
from compensation.crediting.splits import SplitRow, split_credits
from compensation.inputs import Credit, DealEvidence, Employee
from compensation.plans import Period

D = Decimal


def _overlay(who: str, percent: str) -> SplitRow:
    return SplitRow(who, D(percent), validated=False)


def _lines(credits: list[Credit]) -> list[tuple[str, str | None, str, Decimal, Decimal]]:
    return [(c.pool, c.employee, c.slot, c.share, c.amount) for c in credits]


def test_each_overlay_row_credits_its_percentage_of_the_deal() -> None:
    """Deal 1,000.01. A specialist at 50%: 500.005, half-even 500.00 (not refused as a
    set short of 100%). Two at 100% each: 1,000.01 each, 2,000.02 in all. S1 100% and S2
    50%: 1,000.01 and 500.00, S2 the same as alone (each row rounded on its own: 1,500.01,
    where 150% of the deal would round to 1,500.02). Three at 33.33%: 333.303 -> 333.30
    each, 999.90 in all (not made up to the deal). Shares are of the pool: they sum to 1."""
    sale = deal("d1", "1000.01", date(2026, 10, 5))
    half = split_credits(sale, [_overlay("S1", "50")], "overlay")
    assert _lines(half) == [("overlay", "S1", "split", D(1), D("500.00"))]
    assert half[0].note == "CRM split: 50%"
    both = split_credits(sale, [_overlay("S2", "100"), _overlay("S1", "100")], "overlay")
    assert _lines(both) == [
        ("overlay", "S1", "split", D("0.5"), D("1000.01")),
        ("overlay", "S2", "split", D("0.5"), D("1000.01")),
    ]
    mixed = split_credits(sale, [_overlay("S1", "100"), _overlay("S2", "50")], "overlay")
    assert _lines(mixed) == [
        ("overlay", "S1", "split", D("0.666666666667"), D("1000.01")),
        ("overlay", "S2", "split", D("0.333333333333"), D("500.00")),
    ]
    thirds = split_credits(sale, [_overlay(s, "33.33") for s in ("S3", "S1", "S2")], "overlay")
    assert [c.amount for c in thirds] == [D("333.30")] * 3
    # A clawback of the reversed deal mirrors what was credited, cent for cent.
    back = split_credits(deal("d1", "-1000.01", date(2026, 10, 5)), [_overlay("S1", "50")])
    assert [c.amount for c in back] == [D("-500.00")]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_overlay("S1", "150")], "S1 has 150%"),
        ([_overlay("S1", "50"), _overlay("S2", "-10")], "S2 has -10%"),
        ([_overlay("S1", "0")], "sum to 0: it credits nothing"),
        # a revenue split still must total 100%
        ([SplitRow("R1", D(50))], "sum to 50, not 100; correct the split in the CRM"),
    ],
)
def test_rows_out_of_range_and_revenue_sets_off_100_are_refused(
    rows: list[SplitRow], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        split_credits(deal("d1", "100.00", date(2026, 10, 5)), rows)


_PEOPLE = {e.id: e for e in (REP, REP2, BOSS, Employee("S9", "Sam", role="presales"))}
_PLAN = {
    "pools": {
        "overlay": {"slots": [{"name": "presales", "weight": 1, "roles": ["presales"]}]},
        "manager": {"manager_of": "overlay", "budget": "10%"},
    }
}


def _credited(amount: str, overlay: list[SplitRow], plan: dict | None = None) -> list[Credit]:
    scheme = CreditScheme.model_validate(
        {"slots": [{"name": "close", "weight": 1, "kinds": ["deal_owner"]}], **(plan or _PLAN)}
    )
    splits = {"d1": {"revenue": [SplitRow("R1", D(60)), SplitRow("R2", D(40))], "overlay": overlay}}
    sale = DealEvidence(deal("d1", amount, date(2026, 10, 5)), ())
    return credit_deals([sale], scheme, employees=_PEOPLE, splits=splits).credits


def test_a_plan_overlay_pool_filled_from_overlay_rows_then_paid() -> None:
    """Deal 1,000.01 USD split 60/40 (revenue: 600.006 and 400.004 -> 600.00 + 400.00,
    the spare cent to the larger remainder: 600.01 and 400.00), overlay R1 100% and R2
    50%: 1,000.01 and 500.005 -> 500.00 in the plan's overlay pool, the revenue credit
    whole. The manager pool (10%) rolls up the overlay: B1 manages both, 10% of 1,000.01 =
    100.001 at 150% = 150.0015 -> 150.00. At a flat 10%: R1 60.001 -> 60.00 and 100.001 ->
    100.00, R2 40.00 and 50.00, B1 15.00. The reversed deal's credits are the negation."""
    overlay = [_overlay("R2", "50"), _overlay("R1", "100")]
    credited = _credited("1000.01", overlay)
    assert _lines(credited) == [
        ("revenue", "R1", "split", D("0.6"), D("600.01")),
        ("revenue", "R2", "split", D("0.4"), D("400.00")),
        ("overlay", "R1", "split", D("0.666666666667"), D("1000.01")),
        ("overlay", "R2", "split", D("0.333333333333"), D("500.00")),
        ("manager", "B1", "split", D(1), D("150.00")),
    ]
    reversed_ = _credited("-1000.01", overlay)
    assert [c.amount for c in reversed_] == [-c.amount for c in credited]
    flat = [
        {
            "name": "all",
            "kind": "commission",
            "pools": ["revenue", "overlay", "manager"],
            "tiers": [{"from": "0%", "rate": "10%"}],
        }
    ]
    result = run_period(
        inputs([deal("d1", "1000.01", date(2026, 10, 5))], credited),
        book(plan_body(components=flat)),
        Period.parse("2026-Q4"),
        RATES,
    )
    paid = sorted((e.employee, x.pool, x.amount) for e in result.employees for x in e.lines)
    assert paid == [
        ("B1", "manager", D("15.00")),
        ("R1", "overlay", D("100.00")),
        ("R1", "revenue", D("60.00")),
        ("R2", "overlay", D("50.00")),
        ("R2", "revenue", D("40.00")),
    ]


def test_a_roll_up_of_overlay_credit_spreads_or_keeps_an_unclaimed_share() -> None:
    """Overlay S9 (no manager) 50% and R1 (manager B1) 100% of 1,000.01; the manager pool
    is 10% = 100.001. Unclaimed shares returned to the company: B1 100% -> 100.00, house
    50% -> 50.0005 -> 50.00. Spread pro rata instead: B1 takes the whole 150% -> 150.00."""
    overlay = [_overlay("S9", "50"), _overlay("R1", "100")]
    kept = _credited("1000.01", overlay)
    assert [(c.employee, c.amount) for c in kept if c.pool == "manager"] == [
        ("B1", D("100.00")),
        (None, D("50.00")),
    ]
    spread = {
        "pools": {
            **_PLAN["pools"],
            "manager": {**_PLAN["pools"]["manager"], "unclaimed": "redistribute"},
        }
    }
    assert [
        (c.employee, c.amount) for c in _credited("1000.01", overlay, spread) if c.pool == "manager"
    ] == [("B1", D("150.00"))]


def test_an_overlay_row_above_100_is_a_crediting_error() -> None:
    with pytest.raises(CreditingError, match="R1 has 101%"):
        _credited("10", [_overlay("R1", "101")])


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(min_value=-100_000, max_value=100_000, places=2),
    percents=st.lists(
        st.tuples(st.sampled_from(["R1", "R2", "S9"]), st.decimals(0, 100, places=2)),
        min_size=1,
        max_size=5,
    ).filter(lambda rows: any(p for _, p in rows)),
    seed=st.randoms(use_true_random=False),
)
def test_overlay_lines_are_their_percentage_in_any_order_and_never_touch_revenue(
    amount: Decimal, percents: list[tuple[str, Decimal]], seed: Any
) -> None:
    """Each overlay line is its employee's summed percentage of the deal rounded
    half-even alone; row order does not matter, a negated deal negates every line, and the
    revenue lines are those of the same deal without an overlay."""
    rows = [_overlay(who, str(p)) for who, p in percents]
    shuffled = list(rows)
    seed.shuffle(shuffled)
    got = _credited(str(amount), rows)
    assert _lines(got) == _lines(_credited(str(amount), shuffled))
    totals: dict[str, Decimal] = {}
    for who, p in percents:
        totals[who] = totals.get(who, D(0)) + p
    overlay = {c.employee: c.amount for c in got if c.pool == "overlay"}
    assert overlay == {
        who: (amount * p / 100).quantize(D("0.01"), rounding=ROUND_HALF_EVEN)
        for who, p in totals.items()
    }
    assert sum(c.share for c in got if c.pool == "overlay") == 1
    assert [c.amount for c in _credited(str(-amount), rows)] == [-c.amount for c in got]
    plain = _credited(str(amount), [], {"pools": {}})
    assert [c for c in got if c.pool == "revenue"] == plain
