"""A deal won with a negative amount is never silent: the run warns, the plan decides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine_helpers import RATES, book, credit, deal, inputs, plan

from compensation.calculation import run_period
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")


def test_negative_won_deal_pays_per_the_plan_and_warns() -> None:
    refund = deal("d9", "-2000", date(2026, 10, 14))
    result = run_period(inputs([refund], [credit(refund)]), book(), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    # Net attainment -2,000 / 100,000 = -2%: tier 1 extends below 0%, -2,000 x 2% = -40.00.
    assert [(line.deal, line.amount) for line in rep.lines] == [("d9", D("-40.00"))]
    assert result.warnings == (
        "deal d9 (d9) was won on 2026-10-14 with a negative amount, -2000 USD: paid as "
        "negative lines to R1 (plan key gates.negative_amount: pay | withhold); check the "
        "deal in the CRM",
    )


def test_the_plan_can_withhold_a_negative_won_deal() -> None:
    refund = deal("d9", "-2000", date(2026, 10, 14))
    sale = deal("d1", "10000", date(2026, 10, 20))
    held = plan(gates={"negative_amount": "withhold"})
    snapshot = inputs([refund, sale], [credit(refund), credit(sale)])
    result = run_period(snapshot, book(held), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    # Only d1 pays: 10,000 x 2% = 200.00; d9 earns no attainment while it is held.
    assert [(line.deal, line.amount) for line in rep.lines] == [("d1", D("200.00"))]
    assert rep.attainment == {"revenue": D("0.1")}
    (withheld,) = rep.withheld
    assert (withheld.deal, withheld.gate, withheld.original_amount) == (
        "d9",
        "negative_amount",
        D("-2000.00"),
    )
    assert withheld.reason == (
        "this deal is marked won with a negative amount (-2000 USD); the plan holds it until "
        "the CRM is corrected"
    )
    assert result.warnings == (
        "deal d9 (d9) was won on 2026-10-14 with a negative amount, -2000 USD: withheld from "
        "R1 (plan key gates.negative_amount: pay | withhold); check the deal in the CRM",
    )
