"""A plan that changes inside a period: each credit is priced by the plan version and
assignment in force on its deal's close date; quotas, thresholds and draws are prorated
over the days each covers (calendar days, both ends inclusive)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine_helpers import RATES, book, credit, deal, inputs, plan

from compensation.calculation import (
    PriorState,
    canonical_json,
    close_period,
    explain_employee,
    run_period,
    simulate,
)
from compensation.plans import Period

D = Decimal
Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")


def _flat(rate: str) -> list[dict[str, Any]]:
    return [{"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": rate}]}]


def _versions(**v2: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Version 1 until 15 November 2026, version 2 from 16 November."""
    first = plan(components=_flat("4%"), effective_to=date(2026, 11, 15))
    second = plan(components=_flat("6%"), version=2, effective_from=date(2026, 11, 16))
    second.update(v2)
    return first, second


def test_a_new_version_mid_quarter_prices_each_deal_by_the_version_on_its_close_date() -> None:
    """Version 1 pays 4% until 15 November, version 2 pays 6% from 16 November.

    By hand:
        d1 15,000.00 closed 20 October (version 1):  15,000.00 x 4% =   600.00
        d2 35,000.50 closed  1 December (version 2): 35,000.50 x 6% = 2,100.03
        total                                                         2,700.03

    (Before: version 2, the one in force on the quarter's last day, priced both:
    50,000.50 x 6% = 3,000.03.)"""
    d1 = deal("d1", "15000", date(2026, 10, 20))
    d2 = deal("d2", "35000.50", date(2026, 12, 1))
    result = run_period(inputs([d1, d2], [credit(d1), credit(d2)]), book(*_versions()), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    assert {line.deal: line.amount for line in rep.lines} == {
        "d1": D("600.00"),
        "d2": D("2100.03"),
    }
    assert rep.total == D("2700.03")
    # Q4 has 92 days: version 1 covers 1 October - 15 November (31 + 15 = 46 days),
    # version 2 16 November - 31 December (15 + 31 = 46 days).
    explained = explain_employee(rep)
    assert [line["detail"] for line in explained["lines"]] == [
        {"plan_version": "field@1", "from": "2026-10-01", "to": "2026-11-15", "days": "46/92"},
        {"plan_version": "field@2", "from": "2026-11-16", "to": "2026-12-31", "days": "46/92"},
    ]
    assert explained["lines"][0]["rule"].endswith(
        " [plan field v1, 2026-10-01 to 2026-11-15: 46 of 92 days]"
    )


def test_quota_threshold_and_draw_are_prorated_over_the_days_each_version_covers() -> None:
    """Both versions: tiers 2% to 50%, 4% to 100%, 6% above, threshold 50%.
    Version 1: quota 100,000 per quarter, non-recoverable draw 3,000 per quarter.
    Version 2: quota 200,000 per quarter, non-recoverable draw 2,400 per quarter.
    Each covers 46 of Q4's 92 days.

    By hand:
        version 1 quota 100,000 x 46/92 =  50,000; d1 30,000 -> 60%, threshold met:
            25,000 x 2% + 5,000 x 4% = 500.00 + 200.00 = 700.00
        version 2 quota 200,000 x 46/92 = 100,000; d2 60,000 -> 60%, threshold met:
            50,000 x 2% + 10,000 x 4% = 1,000.00 + 400.00 = 1,400.00
        earnings 2,100.00; draw 3,000 x 46/92 + 2,400 x 46/92 = 1,500 + 1,200 = 2,700.00
        top-up 2,700.00 - 2,100.00 = 600.00; total 2,700.00

    (Before: version 2 for the whole quarter, quota 200,000, 90,000 = 45% is under the
    50% threshold: nothing earned, and the draw of 2,400.00 paid.)"""
    tiers = plan()["components"]
    v1 = plan(
        components=[tiers[0] | {"threshold": "50%"}],
        effective_to=date(2026, 11, 15),
        draw={"kind": "non_recoverable", "amount": "3000"},
    )
    v2 = plan(
        components=[tiers[0] | {"threshold": "50%"}],
        version=2,
        effective_from=date(2026, 11, 16),
        quota={"amount": "200000"},
        draw={"kind": "non_recoverable", "amount": "2400"},
    )
    d1 = deal("d1", "30000", date(2026, 10, 20))
    d2 = deal("d2", "60000", date(2026, 12, 1))
    result = run_period(inputs([d1, d2], [credit(d1), credit(d2)]), book(v1, v2), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    assert {line.key: line.amount for line in rep.lines} == {
        "commission|revenue|d1|revenue|close": D("700.00"),
        "commission|revenue|d2|revenue|close": D("1400.00"),
        "draw|top_up": D("600.00"),
    }
    assert rep.total == D("2700.00")
    assert rep.quota == D("150000")
    assert rep.notes[0] == (
        "priced under plan field v1 from 2026-10-01 to 2026-11-15 (46 of 92 days) and "
        "plan field v2 from 2026-11-16 to 2026-12-31 (46 of 92 days)"
    )


def test_a_rep_moved_to_another_plan_mid_quarter_is_paid_under_both() -> None:
    """R1 is on plan field (5%) until 15 November and on plan keys (8%) from 16 November.
    d1 10,000 closed 20 October: 10,000 x 5% = 500.00; d2 10,000 closed 1 December:
    10,000 x 8% = 800.00; total 1,300.00. (Before: plan keys only, 1,600.00.)"""
    field = plan(components=_flat("5%"))
    keys = plan(plan="keys", components=_flat("8%"))
    moves = [
        {"plan": "field", "employee": "R1", "from": "2026-01-01", "to": "2026-11-15"},
        {"plan": "keys", "employee": "R1", "from": "2026-11-16"},
    ]
    d1 = deal("d1", "10000", date(2026, 10, 20))
    d2 = deal("d2", "10000", date(2026, 12, 1))
    snapshot = inputs([d1, d2], [credit(d1), credit(d2)])
    rep = run_period(snapshot, book(field, keys, assignments=moves), Q4, RATES).employee("R1")
    assert rep is not None
    assert {line.deal: line.amount for line in rep.lines} == {
        "d1": D("500.00"),
        "d2": D("800.00"),
    }
    assert (rep.plan, rep.plan_version, rep.total) == ("keys", 1, D("1300.00"))


def test_a_version_added_for_a_closed_period_posts_the_difference_in_the_open_one() -> None:
    """Q3 ran and closed under version 1 alone (4%): d1 10,000 closed 20 August paid
    400.00. Then version 2 (6%) was entered from 16 August. Q3 is not rewritten: Q4 pays
    the difference, 10,000 x 6% - 400.00 = 600.00 - 400.00 = 200.00, as a prior-period
    line."""
    d1 = deal("d1", "10000", date(2026, 8, 20))
    snapshot = inputs([d1], [credit(d1)])
    only_v1 = plan(components=_flat("4%"))
    q3 = run_period(snapshot, book(only_v1), Q3, RATES)
    closed = close_period(q3, date(2026, 10, 5))
    first = plan(components=_flat("4%"), effective_to=date(2026, 8, 15))
    second = plan(components=_flat("6%"), version=2, effective_from=date(2026, 8, 16))
    q4 = run_period(snapshot, book(first, second), Q4, RATES, PriorState([closed]))
    rep = q4.employee("R1")
    assert rep is not None
    assert {line.key: line.amount for line in rep.lines} == {
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("200.00"),
    }
    q3_rep = closed.result.employee("R1")
    assert q3_rep is not None and q3_rep.total == D("400.00")


def test_the_plan_can_prorate_by_working_days() -> None:
    """``proration: working_days`` counts Monday to Friday, both ends inclusive.
    Q4 2026: October has 22 weekdays (Thu 1, Fri 2, then four full weeks 5-30); 1-15
    November has 10 (2-6, 9-13): version 1 covers 32. 16-30 November has 11 (16-20, 23-27,
    30) and December 23 (1-4, then 7-11, 14-18, 21-25, 28-31): version 2 covers 34; 66 in all.
    Both versions: quota 66,000 per quarter, a flat 4% behind a 100% threshold.
    Version 1's quota: 66,000 x 32 / 66 = 32,000; d1 32,000 reaches 100%: 32,000 x 4% =
    1,280.00. (By calendar days it would be 66,000 x 46 / 92 = 33,000, 97%: nothing.)"""
    component = _flat("4%")[0] | {"threshold": "100%"}
    common = {"quota": {"amount": "66000"}, "components": [component]}
    v1 = plan(**common, effective_to=date(2026, 11, 15), proration="working_days")
    v2 = plan(**common, version=2, effective_from=date(2026, 11, 16), proration="working_days")
    d1 = deal("d1", "32000", date(2026, 10, 20))
    rep = run_period(inputs([d1], [credit(d1)]), book(v1, v2), Q4, RATES).employee("R1")
    assert rep is not None
    assert rep.total == D("1280.00")
    # Per part, and the whole period: 32,000 / (32,000 + 66,000 x 34 / 66 = 34,000).
    assert rep.attainment == {
        "revenue": D(32000) / D(66000),
        "revenue|2026-10-01": D(1),
        "revenue|2026-11-16": D(0),
    }
    for body in (v1, v2):
        body["proration"] = "calendar_days"
    rep = run_period(inputs([d1], [credit(d1)]), book(v1, v2), Q4, RATES).employee("R1")
    assert rep is not None and rep.total == D("0.00")


def test_a_cut_period_is_byte_identical_in_any_input_order() -> None:
    d1 = deal("d1", "15000", date(2026, 10, 20))
    d2 = deal("d2", "35000.50", date(2026, 12, 1))
    first, second = _versions(draw={"kind": "recoverable", "amount": "3000"})
    forward = run_period(inputs([d1, d2], [credit(d1), credit(d2)]), book(first, second), Q4, RATES)
    backward = run_period(
        inputs([d2, d1], [credit(d2), credit(d1)]), book(second, first), Q4, RATES
    )
    assert canonical_json(forward) == canonical_json(backward)


def test_a_new_hire_is_paid_for_the_days_on_the_plan_with_a_prorated_quota() -> None:
    """R1 joins the field plan (flat 5%, quota 100,000 per quarter, non-recoverable draw
    920 per quarter) on 1 December 2026: 31 of Q4's 92 days. A deal closed on 20 November,
    before joining, is not paid and a note says so; d2 10,000 on 5 December pays
    10,000 x 5% = 500.00. Quota 100,000 x 31 / 92 = 33,695.65...; draw 920 x 31 / 92 =
    310.00, under the 500.00 earned: no top-up. Total 500.00."""
    body = plan(components=_flat("5%"), draw={"kind": "non_recoverable", "amount": "920"})
    joined = [{"plan": "field", "employee": "R1", "from": "2026-12-01"}]
    d1 = deal("d1", "4000", date(2026, 11, 20))
    d2 = deal("d2", "10000", date(2026, 12, 5))
    snapshot = inputs([d1, d2], [credit(d1), credit(d2)])
    rep = run_period(snapshot, book(body, assignments=joined), Q4, RATES).employee("R1")
    assert rep is not None
    assert {line.key: line.amount for line in rep.lines} == {
        "commission|revenue|d2|revenue|close": D("500.00"),
    }
    assert rep.quota == D(100000) * 31 / 92
    assert (
        "deal d1 closed on 2026-11-20, a day on no plan: its 4000.00 USD of revenue credit "
        "is not paid" in rep.notes
    )


def test_the_what_if_measures_attainment_against_the_versions_in_force() -> None:
    """Version 1 (4%, quota 100,000 per quarter) until 15 November, version 2 (6%, quota
    200,000) from 16 November; each covers 46 of Q4's 92 days, so Q4's quota is
    100,000 x 46/92 + 200,000 x 46/92 = 50,000 + 100,000 = 150,000.

    Rita has d1 30,000 closed 20 October (version 1: 30,000 x 4% = 1,200.00). Reaching
    100% needs 150,000 - 30,000 = 120,000.00 more, closed on 31 December under version 2:
    120,000.00 x 6% = 7,200.00. (Before: measured against version 2's whole quota,
    200,000 - 30,000 = 170,000.00 more, 10,200.00.)"""
    first, second = _versions(quota={"amount": "200000"})
    d1 = deal("d1", "30000", date(2026, 10, 20))
    sim = simulate(
        inputs([d1], [credit(d1)]), book(first, second), Q4, RATES, "R1", attainment=D(1)
    )
    assert sim.scenario == "reaching 100% of quota (120000.00 USD more credited)"
    assert (sim.before, sim.after, sim.delta) == (D("1200.00"), D("8400.00"), D("7200.00"))
    assert sim.attainment_after["revenue"] == D(1)


def test_the_what_if_closes_on_the_last_day_on_a_plan_not_after_it() -> None:
    """Rita is on the plan (4% flat) until 30 November; Q4 runs to 31 December. A deal of
    10,000.00 closes on 30 November, her last day on a plan, and pays 10,000.00 x 4% =
    400.00. (Before: it closed on 31 December, a day on no plan, and paid nothing; and
    the simulation refused her as on no plan on the period's last day.)"""
    first = plan(components=_flat("4%"))
    rows = [{"plan": "field", "team": "field_sales", "from": "2025-01-01", "to": "2026-11-30"}]
    sim = simulate(
        inputs([], []), book(first, assignments=rows), Q4, RATES, "R1", amount=D("10000")
    )
    assert (sim.before, sim.after, sim.delta) == (D("0.00"), D("400.00"), D("400.00"))
