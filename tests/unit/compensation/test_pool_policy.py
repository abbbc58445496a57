"""A pool states what happens to shares without a recipient, and pay follows it: a deal
where 30% of the credit went to a payee without a manager, from crediting to pay."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from crediting_helpers import EMPLOYEES, at, deal
from engine_helpers import RATES

from compensation.calculation import PeriodInputs, plan_policies, run_period
from compensation.crediting import CreditScheme, credit_deals
from compensation.inputs import Act, DealEvidence
from compensation.plans import Assignment, Period, PlanBook, PlanVersion

D = Decimal
OCT = Period.parse("2026-10")


def _flat(plan: str, pools: list[str], rate: str, crediting: dict[str, Any] | None) -> PlanVersion:
    body: dict[str, Any] = {
        "plan": plan,
        "version": 1,
        "effective_from": date(2026, 1, 1),
        "currency": "USD",
        "components": [
            {
                "name": "commission",
                "kind": "commission",
                "pools": pools,
                "tiers": [{"from": "0%", "rate": rate}],
            }
        ],
    }
    if crediting is not None:
        body["crediting"] = crediting
    return PlanVersion.model_validate(body)


def _run(unclaimed: str | None) -> tuple[dict[str, dict[str, Decimal]], dict[str, str]]:
    crediting: dict[str, Any] = {
        "slots": [
            {"name": "lead_source", "weight": "70%", "kinds": ["lead_source"]},
            {"name": "close", "weight": "30%", "kinds": ["deal_owner"]},
        ],
        "pools": {"manager": {"manager_of": "revenue", "budget": "10%"}},
    }
    if unclaimed is not None:
        crediting["pools"]["manager"]["unclaimed"] = unclaimed
    sellers = _flat("sellers", ["revenue"], "2%", crediting)
    leaders = _flat("leaders", ["manager"], "5%", None)
    book = PlanBook(
        [sellers, leaders],
        [
            Assignment.model_validate({"plan": "sellers", "role": role, "from": "2026-01-01"})
            for role in ("marketing", "field_sales")
        ]
        + [Assignment.model_validate({"plan": "leaders", "role": "manager", "from": "2026-01-01"})],
    )
    # M1 (manager B1) captured the lead, F2 (no manager) closed.
    acts = (Act("l", "lead_source", "M1", at(2)), Act("c", "deal_owner", "F2", at(9)))
    won = deal("D1", "100000.00", currency="USD")
    scheme = sellers.crediting
    assert isinstance(scheme, CreditScheme)
    credits = credit_deals([DealEvidence(won, acts)], scheme, employees=EMPLOYEES).credits
    staff = [EMPLOYEES[k] for k in ("M1", "F2", "B1")]
    inputs = PeriodInputs(employees=staff, credits=credits, deals=[won])
    result = run_period(inputs, book, OCT, RATES)
    pay = {e.employee: dict(e.totals) | {"total": e.total} for e in result.employees}
    house = sum((c.amount for c in credits if c.pool == "manager" and c.employee is None), D(0))
    pay["house credit"] = {"manager": house}
    return pay, plan_policies(sellers)


@pytest.mark.parametrize(
    ("unclaimed", "manager_credit", "house", "manager_pay"),
    [
        # Manager budget 10% x 100,000.00 = 10,000.00. B1 manages the 70% lead share:
        # 70% x 10,000.00 = 7,000.00 credit, paid 5% = 350.00; the 30% of F2, who has no
        # manager, 3,000.00, stays with the company.
        ("return_to_company", D("7000.00"), D("3000.00"), D("350.00")),
        # Not stated: a roll-up pool returns them to the company, and explain says so.
        (None, D("7000.00"), D("3000.00"), D("350.00")),
        # Spread over the managers' shares: B1 is the only one, so all 10,000.00 credit,
        # paid 5% = 500.00; nothing stays with the company.
        ("redistribute", D("10000.00"), D("0"), D("500.00")),
    ],
)
def test_a_manager_pool_pays_as_its_unclaimed_policy_says(
    unclaimed: str | None, manager_credit: Decimal, house: Decimal, manager_pay: Decimal
) -> None:
    pay, policies = _run(unclaimed)
    # The revenue split never moves with the manager pool's policy: M1 70% of 100,000.00
    # = 70,000.00 at 2% = 1,400.00; F2 30% = 30,000.00 at 2% = 600.00.
    assert pay == {
        "M1": {"commission": D("1400.00"), "total": D("1400.00")},
        "F2": {"commission": D("600.00"), "total": D("600.00")},
        "B1": {"commission": manager_pay, "total": manager_pay},
        "house credit": {"manager": house},
    }
    assert manager_pay == manager_credit * D("0.05")
    stated = unclaimed or "return_to_company"
    fate = {
        "return_to_company": "are kept by the company (house credit)",
        "redistribute": "are spread pro rata over the managers' shares",
    }[stated]
    assert policies["pool manager"] == (
        f"roll-up of revenue, budget 10%: shares of payees without a manager {fate} "
        f"(unclaimed: {stated})"
    )
