"""Money with no one to tell: a won deal nobody owns, and credit for someone on no plan,
become run warnings naming the deal, the amount and what to fix."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from engine_helpers import BOSS, RATES, REP, book, credit, deal, inputs

from compensation.calculation import run_period
from compensation.inputs import Credit, Employee
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")


def _house(deal_key: str, amount: str) -> Credit:
    return Credit(deal_key, None, "close", D(1), D(amount), "USD", "revenue", ())


def test_a_won_deal_without_an_owner_is_a_warning_with_its_amount() -> None:
    """d7 (4,250.50 USD, won 2026-11-03) has no owner in the CRM, so its close slot is
    vacant and the whole 4,250.50 is house credit: nobody is paid on it. The run says so.
    d8 (1,000.00 USD) is owned by U9, a user the employee list does not know: its 1,000.00
    also goes to the house."""
    orphan = dataclasses.replace(
        deal("d7", "4250.50", date(2026, 11, 3)), owner=None, missing_fields=("owner",)
    )
    stranger = dataclasses.replace(deal("d8", "1000", date(2026, 11, 4)), owner="U9")
    owned = deal("d1", "10000", date(2026, 11, 5))
    # d9 (700.00): the CRM names an owner, but no synced user matches it (owner None, the
    # owner field not missing); its credit went to R1's lead slot, not to the house.
    unmatched = dataclasses.replace(deal("d9", "700", date(2026, 11, 6)), owner=None)
    snapshot = inputs(
        [orphan, stranger, owned, unmatched],
        [
            _house("d7", "4250.50"),
            _house("d8", "1000.00"),
            credit(owned),
            credit(unmatched, slot="lead"),
        ],
    )
    result = run_period(snapshot, book(), Q4, RATES)
    assert result.warnings == (
        "deal d7 (d7), won on 2026-11-03 for 4250.50 USD, has no owner in the CRM: "
        "4250.50 USD of its revenue credit is house credit, paid to nobody; set the "
        "deal's owner in the CRM and run again",
        "deal d8 (d8), won on 2026-11-04 for 1000 USD, is owned by U9, who is not a known "
        "employee: 1000.00 USD of its revenue credit is house credit, paid to nobody; sync "
        "and reconcile the CRM's users (or add U9 to the directory) and run again",
        "deal d9 (d9), won on 2026-11-06 for 700 USD, is owned by a CRM user who is not a "
        "known employee: its credit went to the other people credited on it; sync and "
        "reconcile the CRM's users and run again",
    )


def test_credit_for_someone_on_no_plan_is_a_warning_with_its_amount() -> None:
    """d1 (9,000.00 USD, won 2026-10-03) is split 2/3 to R1 (6,000.00, on the field plan)
    and 1/3 to X1 (3,000.00), whose team has no plan: X1's 3,000.00 pays nobody. A credit
    for G1, unknown to the employee list, is named as well (1,500.00 of d2)."""
    sold = deal("d1", "9000", date(2026, 10, 3))
    other = deal("d2", "1500", date(2026, 10, 9))
    stray = Employee("X1", "Xavi Stray", team="nowhere")
    snapshot = inputs(
        [sold, other],
        [
            credit(sold, "R1", share="0.6666666666666666666666666667"),
            dataclasses.replace(
                credit(sold, "X1", slot="lead"), share=D(1) / 3, amount=D("3000.00")
            ),
            credit(other, "G1"),
        ],
        employees=[REP, BOSS, stray],
    )
    result = run_period(snapshot, book(), Q4, RATES)
    assert result.unplaced == ("X1",)
    assert result.warnings == (
        "credits name employee G1, who is not in the employee list",
        "deal d1 (d1), won on 2026-10-03 for 9000 USD, credits 3000.00 USD of revenue to "
        "X1 (Xavi Stray), who is on no plan on 2026-12-31: nobody is paid on it; assign X1 "
        "a plan in assignments.yaml or correct the deal's split",
        "deal d2 (d2), won on 2026-10-09 for 1500 USD, credits 1500.00 USD of revenue to "
        "G1, who is not in the employee list: nobody is paid on it; sync and reconcile the "
        "CRM's users or correct the deal's split",
    )
