"""The policies ``plan explain`` states in words, for the shipped field-sales plan."""

from __future__ import annotations

from pathlib import Path

from compensation.calculation import plan_policies
from compensation.plans import load_plans

ROOT = Path(__file__).resolve().parents[3]


def test_field_sales_states_its_draw_negative_deal_and_pool_policies() -> None:
    book = load_plans(ROOT / "config" / "plans")
    v2 = book.versions["field_sales"][1]
    assert plan_policies(v2) == {
        "draw": "recoverable draw of 3000 USD per quarter; prorated to the days worked in "
        "the period of leaving, none for a period after the last day worked; the balance on "
        "leaving is written off (draw.on_leaving: write_off)",
        "negative_amount": "a deal won with a negative amount is paid as negative lines and "
        "named in the run's warnings (gates.negative_amount: pay)",
        "proration": "a plan version or assignment that changes inside a period, and the "
        "draw of the period of leaving, are prorated by calendar days, both ends included "
        "(proration: calendar_days)",
        "pool revenue": "vacant slots are spread pro rata over the filled slots "
        "(vacancy: redistribute)",
        "pool manager": "roll-up of revenue, budget 10%: shares of payees without a manager "
        "are kept by the company (house credit) (unclaimed: return_to_company)",
    }
