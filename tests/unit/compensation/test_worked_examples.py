"""Worked examples of the plan calculation, each with hand-computed expected values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from crediting_helpers import EMPLOYEES, chain_acts, scheme
from crediting_helpers import deal as chain_deal
from engine_helpers import RATES, book, credit, deal, inputs, plan

from compensation.calculation import (
    Adjustment,
    PeriodClosedError,
    PeriodInputs,
    PriorState,
    close_period,
    run_period,
)
from compensation.crediting import credit_deals
from compensation.inputs import DealEvidence
from compensation.plans import Period

D = Decimal
Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")
FLAT = [{"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": "5%"}]}]


def amounts(result, employee: str = "R1") -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = result.employee(employee)
    return {line.key: str(line.amount) for line in found.lines}


def test_marginal_and_retroactive_tiers() -> None:
    # Quota 100,000; tiers 0-50% at 2%, 50-100% at 4%, from 100% at 6%; 120,000 credited.
    deals = [
        deal("d1", "40000", date(2026, 10, 5)),
        deal("d2", "30000", date(2026, 10, 20)),
        deal("d3", "50000", date(2026, 11, 2)),
    ]
    snapshot = inputs(deals, [credit(d) for d in deals])
    marginal = run_period(snapshot, book(), Q4, RATES).employee("R1")
    assert marginal is not None
    # 50,000 × 2% + 50,000 × 4% + 20,000 × 6% = 1,000 + 2,000 + 1,200
    assert [str(line.amount) for line in marginal.lines] == ["800.00", "1000.00", "2400.00"]
    assert marginal.total == D("4200.00")
    assert marginal.attainment == {"revenue": D("1.2")}
    assert marginal.lines[1].rule == (
        "marginal: tier 1 (0%–50%) at 2% on 33.33%; tier 2 (50%–100%) at 4% on 66.67%"
    )
    retro_plan = plan()
    retro_plan["components"][0]["mode"] = "retroactive"
    retro = run_period(snapshot, book(retro_plan), Q4, RATES).employee("R1")
    assert retro is not None
    # everything at the 6% reached: 120,000 × 6%
    assert [str(line.amount) for line in retro.lines] == ["2400.00", "1800.00", "3000.00"]
    assert retro.total == D("7200.00")
    assert retro.lines[0].rule == "retroactive: tier 3 (from 100%) at 6% on all revenue"


def test_deal_created_on_its_close_date_pays_nothing_and_says_why() -> None:
    gated = plan(gates={"documented_days_before_close": 2})
    late = deal("late", "50000", date(2026, 10, 14), created=date(2026, 10, 14))
    early = deal("early", "10000", date(2026, 10, 14), created=date(2026, 10, 12))
    result = run_period(
        inputs([late, early], [credit(late), credit(early)]), book(gated), Q4, RATES
    )
    rep = result.employee("R1")
    assert rep is not None
    assert amounts(result) == {"commission|revenue|early|revenue|close": "200.00"}
    assert rep.attainment == {"revenue": D("0.1")}  # withheld revenue earns no attainment
    (withheld,) = rep.withheld
    assert (withheld.deal, withheld.gate, withheld.original_amount) == (
        "late",
        "documentation",
        D("50000.00"),
    )
    assert withheld.reason == (
        "this deal was created in the CRM on its close date: record opportunities as soon as "
        "they open"
    )
    assert withheld.advice == "Enter each opportunity in the CRM at least 2 days before it closes."


def test_clawback_after_cancellation_mirrors_the_original_split() -> None:
    flat = plan(components=FLAT, clawback={"within_days": 90})
    sold = deal("d1", "33333.33", date(2026, 8, 10))
    credits = [
        credit(sold, "R1", "0.4", "close"),
        credit(sold, "R1", "0.3", "field_work"),
        credit(sold, "R2", "0.3", "lead_source"),
    ]
    q3 = run_period(inputs([sold], credits), book(flat), Q3, RATES)
    # 13,333.33 × 5% = 666.6665 → 666.67 (half up); 10,000.00 × 5% = 500.00
    assert amounts(q3) == {
        "commission|revenue|d1|revenue|close": "666.67",
        "commission|revenue|d1|revenue|field_work": "500.00",
    }
    assert amounts(q3, "R2") == {"commission|revenue|d1|revenue|lead_source": "500.00"}
    prior = PriorState([close_period(q3, date(2026, 10, 5))])
    cancelled = deal(
        "d1", "33333.33", date(2026, 8, 10), state="lost", reversed_on=date(2026, 11, 20)
    )
    q4 = run_period(inputs([cancelled], credits), book(flat), Q4, RATES, prior)
    # reversed 46 days after payment (within 90): every paid line comes back, exactly
    assert amounts(q4) == {
        "clawback|2026-Q3|commission|revenue|d1|revenue|close": "-666.67",
        "clawback|2026-Q3|commission|revenue|d1|revenue|field_work": "-500.00",
    }
    assert amounts(q4, "R2") == {
        "clawback|2026-Q3|commission|revenue|d1|revenue|lead_source": "-500.00"
    }
    line = q4.employee("R1").lines[0]  # type: ignore[union-attr]
    assert line.rule == (
        "clawback: deal reversed on 2026-11-20, 46 days after it was paid (2026-Q3, closed "
        "2026-10-05); 100% of 666.67 USD taken back"
    )
    assert (line.slot, line.share, line.acts) == ("close", D("0.4"), ("d1:a",))
    # once clawed back, never again
    prior2 = PriorState([*prior.closed, close_period(q4, date(2027, 1, 5))])
    q1 = run_period(
        inputs([cancelled], credits), book(flat), Period.parse("2027-Q1"), RATES, prior2
    )
    assert amounts(q1) == {}


def test_partial_clawback_is_split_like_the_original_and_outside_the_window_nothing() -> None:
    flat = plan(components=FLAT, clawback={"within_days": 30, "portion": "50%"})
    sold = deal("d1", "33333.33", date(2026, 8, 10))
    credits = [credit(sold, "R1", "0.4", "close"), credit(sold, "R1", "0.3", "field_work")]
    prior = PriorState(
        [
            close_period(
                run_period(inputs([sold], credits), book(flat), Q3, RATES), date(2026, 10, 5)
            )
        ]
    )
    within = deal("d1", "33333.33", date(2026, 8, 10), state="lost", reversed_on=date(2026, 10, 20))
    q4 = run_period(inputs([within], credits), book(flat), Q4, RATES, prior)
    # half of 1,166.67 = 583.335 → 583.34, split over 666.67 : 500.00 by largest remainder
    # (exact 333.3366… and 250.0033…: the spare cent goes to the larger remainder)
    assert amounts(q4) == {
        "clawback|2026-Q3|commission|revenue|d1|revenue|close": "-333.34",
        "clawback|2026-Q3|commission|revenue|d1|revenue|field_work": "-250.00",
    }
    late = deal("d1", "33333.33", date(2026, 8, 10), state="lost", reversed_on=date(2026, 11, 20))
    q4_late = run_period(inputs([late], credits), book(flat), Q4, RATES, prior)
    assert amounts(q4_late) == {}
    assert q4_late.employee("R1").notes == (  # type: ignore[union-attr]
        "deal d1 was reversed 46 days after payment, outside the 30-day clawback window: "
        "nothing is taken back",
    )


def test_eur_deal_paid_in_usd_at_the_dated_rate() -> None:
    flat = plan(
        components=[
            {"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": "3%"}]}
        ]
    )
    eur = deal("d1", "10000", date(2026, 10, 15), currency="EUR", created=date(2026, 9, 20))
    result = run_period(inputs([eur], [credit(eur)]), book(flat), Q4, RATES)
    (line,) = result.employee("R1").lines  # type: ignore[union-attr]
    # EUR→USD is 1.10 from 2026-01-01 and 1.25 from 2026-10-01; the close date decides
    assert (line.original_amount, line.original_currency) == (D("10000.00"), "EUR")
    assert (line.fx_rate, line.fx_date, line.fx_source) == (
        D("1.25"),
        date(2026, 10, 1),
        "test desk",
    )
    assert line.converted_amount == D("12500.0000")
    assert (line.amount, line.currency) == (D("375.00"), "USD")
    by_created = plan(components=flat["components"], rate_date="created_at")
    line = (
        run_period(inputs([eur], [credit(eur)]), book(by_created), Q4, RATES)
        .employee("R1")
        .lines[0]
    )  # type: ignore[union-attr]
    assert (line.fx_rate, line.amount) == (D("1.10"), D("330.00"))


def _monthly(kind: str) -> dict:  # type: ignore[type-arg]
    return plan(
        period="month",
        quota=None,
        components=[
            {"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": "10%"}]}
        ],
        draw={"kind": kind, "amount": "3000"},
    )


def test_recoverable_draw_balance_is_carried_and_recovered() -> None:
    months = [Period.parse(m) for m in ("2026-10", "2026-11", "2026-12")]
    deals = [
        deal("oct", "10000", date(2026, 10, 10)),
        deal("nov", "40000", date(2026, 11, 10)),
        deal("dec", "60000", date(2026, 12, 10)),
    ]
    snapshot = inputs(deals, [credit(d) for d in deals])
    closed: list = []  # type: ignore[type-arg]
    seen = []
    for month in months:
        result = run_period(
            snapshot, book(_monthly("recoverable")), month, RATES, PriorState(closed)
        )
        rep = result.employee("R1")
        assert rep is not None
        seen.append(
            (
                str(rep.total),
                str(rep.draw_balance_start),
                str(rep.draw_balance_end),
                rep.totals.get("draw_top_up"),
                rep.totals.get("draw_recovery"),
            )
        )
        closed.append(close_period(result, month.end))
    # Oct: earns 1,000, topped up 2,000 (owed back); Nov: earns 4,000, 1,000 above the draw
    # recovers 1,000; Dec: earns 6,000, recovers the last 1,000.
    assert seen == [
        ("3000.00", "0", "2000.00", D("2000.00"), None),
        ("3000.00", "2000.00", "1000.00", None, D("-1000.00")),
        ("5000.00", "1000.00", "0.00", None, D("-1000.00")),
    ]
    non = run_period(
        snapshot, book(_monthly("non_recoverable")), months[1], RATES, PriorState(closed[:1])
    )
    assert non.employee("R1").total == D("4000.00")  # type: ignore[union-attr]


def test_change_to_a_closed_period_posts_as_an_adjustment_in_the_open_one() -> None:
    flat = plan(
        components=[
            {"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": "4%"}]}
        ]
    )
    first = deal("d1", "50000", date(2026, 9, 10))
    q3 = run_period(inputs([first], [credit(first)]), book(flat), Q3, RATES)
    assert amounts(q3) == {"commission|revenue|d1|revenue|close": "2000.00"}
    prior = PriorState([close_period(q3, date(2026, 10, 5))])
    corrected = deal("d1", "60000", date(2026, 9, 10))
    snapshot = inputs([corrected], [credit(corrected)])
    with pytest.raises(PeriodClosedError):
        run_period(snapshot, book(flat), Q3, RATES, prior)
    q4 = run_period(snapshot, book(flat), Q4, RATES, prior)
    assert amounts(q4) == {"prior|2026-Q3|commission|revenue|d1|revenue|close": "400.00"}
    assert q4.employee("R1").lines[0].rule == (  # type: ignore[union-attr]
        "change to closed period 2026-Q3: commission|revenue|d1|revenue|close paid 2000.00, "
        "now computes 2400.00; the difference is paid here"
    )
    assert amounts(q3) == {"commission|revenue|d1|revenue|close": "2000.00"}  # untouched
    prior2 = PriorState([*prior.closed, close_period(q4, date(2027, 1, 5))])
    q1 = run_period(snapshot, book(flat), Period.parse("2027-Q1"), RATES, prior2)
    assert amounts(q1) == {}  # posted once


def test_manual_adjustments_are_audited_and_survive_recalculation() -> None:
    flat = plan(components=FLAT)
    at = datetime(2026, 11, 2, 14, 30)
    adjustments = [
        Adjustment(
            "adj-1", "R1", "2026-Q4", D("250"), "USD", "missed SPIFF on d0", "ops@altamira", at
        ),
        Adjustment(
            "adj-2", "R1", "2026-Q3", D("100"), "EUR", "late Q3 correction", "ops@altamira", at
        ),
        Adjustment("adj-3", "R1", "2026-Q1", D("999"), "USD", "another period", "ops@altamira", at),
    ]
    q3 = run_period(inputs([], []), book(flat), Q3, RATES)
    prior = PriorState([close_period(q3, date(2026, 10, 5))])
    for amount in ("10000", "20000"):  # recalculated after a data change: adjustments stay
        changed = deal("d1", amount, date(2026, 10, 10))
        result = run_period(
            inputs([changed], [credit(changed)]), book(flat), Q4, RATES, prior, adjustments
        )
        lines = amounts(result)
        assert lines["manual|adj-1"] == "250.00"
        # the Q3 adjustment was not in the closed Q3 result: it posts now, 100 EUR at the
        # 1.25 in force on the day it was made
        assert lines["manual|adj-2"] == "125.00"
    line = result.employee("R1").line("manual|adj-1")  # type: ignore[union-attr]
    assert (
        line.rule == "manual adjustment by ops@altamira at 2026-11-02T14:30:00: missed SPIFF on d0"
    )
    assert line.detail == {
        "by": "ops@altamira",
        "at": "2026-11-02T14:30:00",
        "reason": "missed SPIFF on d0",
        "period": "2026-Q4",
    }
    assert "manual|adj-3" not in lines


def test_six_step_chain_pays_each_person_their_slot_share_once() -> None:
    evidence = DealEvidence(chain_deal("D1", "10000.00", currency="USD"), chain_acts())
    credits = credit_deals([evidence], scheme(), employees=EMPLOYEES).credits
    flat = plan(
        plan="everyone",
        components=[
            {"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": "10%"}]}
        ],
    )
    rows = [
        {"plan": "everyone", "role": r, "from": "2025-01-01"}
        for r in ("marketing", "call_centre", "field_sales")
    ]
    snapshot = PeriodInputs(list(EMPLOYEES.values()), credits, [evidence.deal])
    result = run_period(snapshot, book(flat, assignments=rows), Q4, RATES)
    paid = {
        r.employee: [(line.slot, str(line.amount), line.acts) for line in r.lines]
        for r in result.employees
        if r.lines
    }
    assert paid == {
        "M1": [("lead_source", "100.00", ("a1-lead",))],
        "C1": [("qualification", "200.00", ("a2-qualify",))],  # the answer a5 is not paid again
        "F1": [("close", "400.00", ("a6-close",)), ("field_work", "300.00", ("a3-visit",))],
    }
    assert sum(r.total for r in result.employees) == D("1000.00")  # 10% of the deal, once


def test_clawback_text_follows_the_real_dates_when_the_reversal_came_before_the_close() -> None:
    flat = plan(components=FLAT, clawback={"within_days": 90})
    sold = deal("d1", "10000", date(2026, 8, 10))
    q3 = run_period(inputs([sold], [credit(sold)]), book(flat), Q3, RATES)
    # Q3 is closed (and paid) on 2026-10-20; the deal was cancelled on 2026-10-03, after Q3
    # ended but 17 days before Q3 was closed (2026-10-20 - 2026-10-03 = 17 days).
    prior = PriorState([close_period(q3, date(2026, 10, 20))])
    cancelled = deal("d1", "10000", date(2026, 8, 10), state="lost", reversed_on=date(2026, 10, 3))
    q4 = run_period(inputs([cancelled], [credit(cancelled)]), book(flat), Q4, RATES, prior)
    (line,) = q4.employee("R1").lines  # type: ignore[union-attr]
    assert line.amount == D("-500.00")  # 10,000 x 5%, all of it
    assert line.rule == (
        "clawback: deal reversed on 2026-10-03, 17 days before its period was closed and paid "
        "(2026-Q3, closed 2026-10-20); 100% of 500.00 USD taken back"
    )
