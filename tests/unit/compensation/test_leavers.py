"""Someone who left is paid what they earned, never a draw for a period after leaving."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from engine_helpers import BOSS, RATES, REP, REP2, book, credit, deal, inputs, plan

from compensation.engine import PriorState, close_period, run_period
from compensation.plans import Period

D = Decimal
Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")
LEFT = dataclasses.replace(REP, active=False, left_on=date(2026, 8, 20))


def _q4(on_leaving: str, rep=LEFT, q3_rep=LEFT):  # type: ignore[no-untyped-def]
    body = plan(draw={"kind": "recoverable", "amount": "3000", "on_leaving": on_leaving})
    plans = book(body)
    staff = [rep, REP2, BOSS]
    sold = deal("d1", "10000", date(2026, 8, 10))  # closed while employed
    q3_staff = [q3_rep, REP2, BOSS]
    q3 = run_period(inputs([sold], [credit(sold)], employees=q3_staff), plans, Q3, RATES)
    rep_q3 = q3.employee("R1")
    assert rep_q3 is not None
    # Q3 starts before the last day worked: the draw is paid. 10,000 x 2% = 200.00,
    # topped up to 3,000.00 by 2,800.00, which is the balance to recover.
    assert {line.key: line.amount for line in rep_q3.lines} == {
        "commission|revenue|d1|revenue|close": D("200.00"),
        "draw|top_up": D("2800.00"),
    }
    assert rep_q3.draw_balance_end == D("2800.00")
    prior = PriorState([close_period(q3, date(2026, 10, 5))])
    # After Q3 closed, d1 grew to 60,000 in the CRM, and d2 closed after R1 left.
    grown = deal("d1", "60000", date(2026, 8, 10))
    late = deal("d2", "40000", date(2026, 10, 12))
    snapshot = inputs([grown, late], [credit(grown), credit(late)], employees=staff)
    result = run_period(snapshot, plans, Q4, RATES, prior).employee("R1")
    assert result is not None
    return result


def test_no_draw_after_leaving_and_the_balance_is_written_off_by_default() -> None:
    rep = _q4("write_off")
    # Q3 re-run with d1 at 60,000: 50,000 x 2% + 10,000 x 4% = 1,400.00, paid 200.00:
    # +1,200.00 posts in Q4. d2 closed after the last day worked: withheld. No draw.
    assert {line.key: line.amount for line in rep.lines} == {
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("1200.00"),
    }
    assert rep.total == D("1200.00")
    assert [(w.deal, w.gate) for w in rep.withheld] == [("d2", "left")]
    assert (rep.draw_balance_start, rep.draw_balance_end) == (D("2800.00"), D("0"))
    assert rep.notes == (
        "left on 2026-08-20: no draw is paid for a period after the last day worked",
        "recoverable draw balance 2800.00 USD written off on leaving (draw.on_leaving: write_off)",
    )


def test_the_plan_can_recover_the_balance_from_final_earnings() -> None:
    rep = _q4("recover_from_final")
    # 1,200.00 earned after leaving; min(2,800.00, 1,200.00) = 1,200.00 recovered;
    # 2,800.00 - 1,200.00 = 1,600.00 still to recover.
    assert {line.key: line.amount for line in rep.lines} == {
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("1200.00"),
        "draw|recovery": D("-1200.00"),
    }
    assert rep.total == D("0.00")
    assert rep.draw_balance_end == D("1600.00")


def test_an_inactive_employee_without_a_leaving_date_gets_no_draw() -> None:
    gone = dataclasses.replace(REP, active=False)
    rep = _q4("write_off", gone, REP)  # active when Q3 ran, inactive now
    # No last day known: d2 is paid (40,000 x 2% = 800.00), and still no draw.
    assert {line.key: line.amount for line in rep.lines} == {
        "commission|revenue|d2|revenue|close": D("800.00"),
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("1200.00"),
    }
    assert rep.draw_balance_end == D("0")
