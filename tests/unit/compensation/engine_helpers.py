"""Builders for the plan-engine tests: plans from dicts, deals, credits, rates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from compensation.calculation import PeriodInputs
from compensation.inputs import Credit, Deal, Employee
from compensation.plans import Assignment, PlanBook, PlanVersion
from compensation.rates import RateTable

D = Decimal

REP = Employee("R1", "Rita Rep", team="field_sales", role="field_sales", manager="B1")
REP2 = Employee("R2", "Raul Rep", team="field_sales", role="field_sales", manager="B1")
BOSS = Employee("B1", "Bea Boss", team="field_sales", role="manager")

RATES = RateTable(
    [
        ("EUR", "USD", date(2026, 1, 1), D("1.10"), "test desk"),
        ("EUR", "USD", date(2026, 10, 1), D("1.25"), "test desk"),
        ("GBP", "USD", date(2026, 1, 1), D("1.30"), "test desk"),
    ]
)


def plan(**overrides: Any) -> dict[str, Any]:
    """A field-sales plan: USD, quarterly quota 100,000, one commission component."""
    body: dict[str, Any] = {
        "plan": "field",
        "version": 1,
        "effective_from": date(2026, 1, 1),
        "currency": "USD",
        "period": "quarter",
        "quota": {"amount": "100000"},
        "components": [
            {
                "name": "revenue",
                "kind": "commission",
                "mode": "marginal",
                "tiers": [
                    {"from": "0%", "to": "50%", "rate": "2%"},
                    {"from": "50%", "to": "100%", "rate": "4%"},
                    {"from": "100%", "rate": "6%"},
                ],
            }
        ],
    }
    body.update(overrides)
    return body


def book(*plans: dict[str, Any], assignments: list[dict[str, Any]] | None = None) -> PlanBook:
    """A book of the given plans; by default every plan's id is assigned to its team."""
    versions = [PlanVersion.model_validate(p) for p in plans or (plan(),)]
    rows = assignments or [{"plan": versions[0].plan, "team": "field_sales", "from": "2025-01-01"}]
    return PlanBook(versions, [Assignment.model_validate(a) for a in rows])


def deal(
    key: str,
    amount: str,
    close: date,
    *,
    currency: str = "USD",
    created: date | None = None,
    state: str = "won",
    reversed_on: date | None = None,
    products: tuple[str, ...] = (),
    missing: tuple[str, ...] = (),
) -> Deal:
    opened = created or close - timedelta(days=30)
    return Deal(
        key,
        key,
        D(amount),
        currency,
        state,  # type: ignore[arg-type]
        datetime.combine(opened, time(9)),
        close,
        owner="R1",
        products=products,
        missing_fields=missing,
        reversed_on=reversed_on,
    )


def credit(
    deal_: Deal, employee: str = "R1", share: str = "1", slot: str = "close", pool: str = "revenue"
) -> Credit:
    amount = (deal_.amount * D(share)).quantize(D("0.01"))
    return Credit(
        deal_.key, employee, slot, D(share), amount, deal_.currency, pool, (f"{deal_.key}:a",)
    )


def inputs(deals: list[Deal], credits: list[Credit], **extra: Any) -> PeriodInputs:
    employees = extra.pop("employees", [REP, REP2, BOSS])
    return PeriodInputs(employees=employees, credits=credits, deals=deals, **extra)
