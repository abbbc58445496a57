"""Someone who left is paid what they earned, never a draw for a period after leaving."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from engine_helpers import BOSS, RATES, REP, REP2, book, credit, deal, inputs, plan

from compensation.calculation import PriorState, close_period, run_period
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
    # R1 leaves during Q3 (20 August, day 51 of 92): the draw is prorated to
    # 3,000 x 51 / 92 = 1,663.04. 10,000 x 2% = 200.00, topped up by 1,463.04, which is
    # the balance to recover. Still employed when Q3 ran: topped up to 3,000.00 by 2,800.00.
    top_up = D("1463.04") if q3_rep.left_on else D("2800.00")
    assert {line.key: line.amount for line in rep_q3.lines} == {
        "commission|revenue|d1|revenue|close": D("200.00"),
        "draw|top_up": top_up,
    }
    # Q3 is the final period of a leaver: write_off clears the balance there.
    final = q3_rep.left_on is not None and on_leaving == "write_off"
    assert rep_q3.draw_balance_end == (D(0) if final else top_up)
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
    # The balance of 1,463.04 was written off in Q3, the period R1 left in.
    assert (rep.draw_balance_start, rep.draw_balance_end) == (D("0"), D("0"))
    assert (rep.draw_written_off, rep.draw_on_leaving) == (D("0"), "write_off")
    assert rep.notes == (
        "left on 2026-08-20: no draw is paid for a period after the last day worked",
    )


def test_a_balance_carried_past_the_final_period_is_written_off_after_leaving() -> None:
    """R1 was still employed when Q3 ran (topped up 3,000.00 - 200.00 = 2,800.00, the
    balance) and has left by Q4: the 2,800.00 carried is written off in Q4."""
    rep = _q4("write_off", q3_rep=REP)
    assert (rep.draw_balance_start, rep.draw_balance_end) == (D("2800.00"), D("0"))
    assert (rep.draw_written_off, rep.draw_on_leaving) == (D("2800.00"), "write_off")
    assert rep.notes == (
        "left on 2026-08-20: no draw is paid for a period after the last day worked",
        "recoverable draw balance 2800.00 USD written off on leaving (draw.on_leaving: write_off)",
    )


def test_the_plan_can_recover_the_balance_from_final_earnings() -> None:
    rep = _q4("recover_from_final")
    # 1,200.00 earned after leaving; min(1,463.04, 1,200.00) = 1,200.00 recovered;
    # 1,463.04 - 1,200.00 = 263.04 still to recover.
    assert {line.key: line.amount for line in rep.lines} == {
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("1200.00"),
        "draw|recovery": D("-1200.00"),
    }
    assert rep.total == D("0.00")
    assert rep.draw_balance_end == D("263.04")


def test_an_inactive_employee_without_a_leaving_date_gets_no_draw() -> None:
    gone = dataclasses.replace(REP, active=False)
    rep = _q4("write_off", gone, REP)  # active when Q3 ran, inactive now
    # No last day known: d2 is paid (40,000 x 2% = 800.00), and still no draw.
    assert {line.key: line.amount for line in rep.lines} == {
        "commission|revenue|d2|revenue|close": D("800.00"),
        "prior|2026-Q3|commission|revenue|d1|revenue|close": D("1200.00"),
    }
    assert rep.draw_balance_end == D("0")


def _q3_draw(left_on: date | None, kind: str = "recoverable"):  # type: ignore[no-untyped-def]
    rep = dataclasses.replace(REP, active=left_on is None, left_on=left_on)
    plans = book(plan(draw={"kind": kind, "amount": "3000"}))
    sold = deal("d1", "10000", date(2026, 7, 10))
    staff = [rep, REP2, BOSS]
    result = run_period(inputs([sold], [credit(sold)], employees=staff), plans, Q3, RATES)
    found = result.employee("R1")
    assert found is not None
    return found


def test_the_draw_of_the_period_someone_leaves_in_is_prorated_to_the_days_worked() -> None:
    """Q3 2026 has 31 + 31 + 30 = 92 days; the last day worked is 20 August, so the days
    worked are 1 July to 20 August: 31 + 20 = 51. The quarter's draw of 3,000.00 pays
    3,000 x 51 / 92 = 1,663.0434... = 1,663.04. Earned: 10,000 x 2% = 200.00, topped up
    by 1,663.04 - 200.00 = 1,463.04, which is the recoverable balance."""
    rep = _q3_draw(date(2026, 8, 20))
    assert {line.key: line.amount for line in rep.lines} == {
        "commission|revenue|d1|revenue|close": D("200.00"),
        "draw|top_up": D("1463.04"),
    }
    assert rep.total == D("1663.04")
    # The period of leaving is the final one: by default the balance is written off.
    assert (rep.draw_balance_end, rep.draw_written_off) == (D("0"), D("1463.04"))
    assert rep.notes == (
        "left on 2026-08-20, after 51 of the 92 days of 2026-Q3: the draw of 3000.00 USD "
        "is prorated to 1663.04 USD",
        "recoverable draw balance 1463.04 USD left after the final period written off "
        "(draw.on_leaving: write_off)",
    )
    top_up = next(line for line in rep.lines if line.kind == "draw_top_up")
    assert top_up.rule == (
        "recoverable draw of 1663.04 USD (3000.00 prorated to 51 of 92 days worked): "
        "earnings 200.00 topped up; balance to recover 1463.04"
    )


def test_the_draw_is_whole_on_the_periods_last_day_and_none_after_leaving() -> None:
    # Last day 30 September: all 92 days worked, 3,000.00 - 200.00 = 2,800.00.
    whole = _q3_draw(date(2026, 9, 30), "non_recoverable")
    assert whole.totals == {"commission": D("200.00"), "draw_top_up": D("2800.00")}
    # Last day 1 July: 1 of 92 days, 3,000 / 92 = 32.6086... = 32.61; d1 closed on 10 July,
    # after the last day worked, so it is withheld and the draw tops 0.00 up to 32.61.
    first_day = _q3_draw(date(2026, 7, 1), "non_recoverable")
    assert first_day.totals == {"draw_top_up": D("32.61")}
    assert [w.gate for w in first_day.withheld] == ["left"]
    # Last day 30 June: left before Q3, no draw at all (and d1, closed after, is withheld).
    gone = _q3_draw(date(2026, 6, 30), "non_recoverable")
    assert gone.lines == () and [w.gate for w in gone.withheld] == ["left"]


def test_the_balance_left_after_the_final_recovery_follows_the_plan() -> None:
    """The period someone leaves in is their final one: Q3 pays the prorated draw of
    1,663.04 (3,000 x 51 / 92), earned 200.00, so the top-up of 1,463.04 is the balance
    left after the final period. ``draw.on_leaving`` settles it there and the result says
    how: write_off clears it (written off 1,463.04, balance 0); recover_from_final carries
    it, to be recovered from later payments (written off 0.00, balance 1,463.04)."""
    rep = dataclasses.replace(REP, active=False, left_on=date(2026, 8, 20))
    sold = deal("d1", "10000", date(2026, 8, 10))
    staff = [rep, REP2, BOSS]
    settled = {}
    for policy in ("write_off", "recover_from_final"):
        body = plan(draw={"kind": "recoverable", "amount": "3000", "on_leaving": policy})
        result = run_period(inputs([sold], [credit(sold)], employees=staff), book(body), Q3, RATES)
        found = result.employee("R1")
        assert found is not None
        assert found.total == D("1663.04")
        settled[policy] = (found.draw_balance_end, found.draw_written_off, found.draw_on_leaving)
    assert settled == {
        "write_off": (D("0"), D("1463.04"), "write_off"),
        "recover_from_final": (D("1463.04"), D("0"), "recover_from_final"),
    }
