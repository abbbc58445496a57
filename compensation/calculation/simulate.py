"""The rep's what-if: what closing a deal, a deal of some amount, or reaching an
attainment would pay this period, against what the period pays now.

The simulated deal is won on the employee's last day on a plan in the period (a real deal
on its own close date, when that falls inside the period); a real deal keeps its credit
split and its CRM history, so a gate that would withhold it says so. Like the run, the
simulation prices each credit by the plan version in force on its close date, and a
target attainment is measured against the period's quota over the versions in force
(each prorated by the days it covers).
"""

from __future__ import annotations

import dataclasses
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from compensation.calculation.context import Pricing, RunContext
from compensation.calculation.errors import EngineError
from compensation.calculation.period import ENGINE_CONTEXT, run_employee
from compensation.calculation.records import Adjustment, PeriodInputs, PriorState
from compensation.calculation.results import EmployeeResult, PayLine, WithheldLine
from compensation.calculation.segments import period_earnings
from compensation.inputs import Credit, Deal
from compensation.money import quantize
from compensation.plans import CommissionComponent, Period, PlanBook
from compensation.plans.values import format_percent as pct
from compensation.rates import RateTable

__all__ = ["SIMULATED_DEAL", "Simulation", "simulate"]

SIMULATED_DEAL = "simulated:deal"
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Simulation:
    """Before and after, and the lines that the scenario adds or changes."""

    employee: str
    period: str
    currency: str
    scenario: str
    before: Decimal
    after: Decimal
    delta: Decimal
    attainment_before: Mapping[str, Decimal]
    attainment_after: Mapping[str, Decimal]
    changed: tuple[PayLine, ...]
    withheld: tuple[WithheldLine, ...]
    notes: tuple[str, ...] = ()


def _synthetic(
    employee: str, amount: Decimal, currency: str, period: Period, last_day: date
) -> tuple[Deal, Credit]:
    created = datetime.combine(period.start - timedelta(days=90), time(9))
    deal = Deal(SIMULATED_DEAL, "simulated deal", amount, currency, "won", created, last_day)
    credit = Credit(SIMULATED_DEAL, employee, "simulated", Decimal(1), amount, currency)
    return deal, credit


def _scenario(
    inputs: PeriodInputs,
    base: EmployeeResult,
    pricing: Pricing,
    period: Period,
    deal: str | None,
    amount: Decimal | None,
    currency: str | None,
    attainment: Decimal | None,
    last_day: date,
) -> tuple[list[Deal], list[Credit], str, list[str]]:
    employee = base.employee
    if deal is not None:
        found = next((d for d in inputs.deals if d.key == deal), None)
        if found is None:
            raise EngineError(f"no deal {deal!r} in the inputs")
        close = (
            found.close_date if found.close_date and period.contains(found.close_date) else last_day
        )
        won = dataclasses.replace(found, state="won", close_date=close, reversed_on=None)
        credits = [c for c in inputs.credits if c.deal == deal]
        notes = []
        if not any(c.employee == employee for c in credits):
            credits = [
                Credit(deal, employee, "simulated", Decimal(1), found.amount, found.currency)
            ]
            notes.append("the deal has no credit for you yet: simulated as 100% yours")
        deals = [d for d in inputs.deals if d.key != deal] + [won]
        others = [c for c in inputs.credits if c.deal != deal]
        return (
            deals,
            others + credits,
            f"closing {deal} ({found.amount} {found.currency}) on {close}",
            notes,
        )
    if attainment is not None:
        comp = next(
            (c for c in pricing.version.components if isinstance(c, CommissionComponent)), None
        )
        if comp is None or pricing.quota is None:
            raise EngineError("the plan has no commission with a quota to reach")
        needed = attainment * pricing.quota - base.credited.get(comp.name, _ZERO)
        if needed <= 0:
            return (
                list(inputs.deals),
                list(inputs.credits),
                f"reaching {pct(attainment)}",
                [f"{pct(attainment)} is already reached"],
            )
        amount = quantize(needed, 2, "ROUND_CEILING")
        currency = pricing.quota_currency
        label = f"reaching {pct(attainment)} of quota ({amount} {currency} more credited)"
    elif amount is not None:
        currency = (currency or pricing.currency).upper()
        label = f"closing a deal of {amount} {currency}"
    else:
        raise EngineError("say what to simulate: a deal, an amount or an attainment")
    extra_deal, extra_credit = _synthetic(
        employee, amount, currency or pricing.currency, period, last_day
    )
    return [*inputs.deals, extra_deal], [*inputs.credits, extra_credit], label, []


def simulate(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    employee: str,
    *,
    deal: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    attainment: Decimal | None = None,
    prior: PriorState | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> Simulation:
    """What ``employee`` would earn in ``period`` if ``deal`` closed won, or a deal of
    ``amount`` (``currency``, default the pay currency) closed, or they reached
    ``attainment`` (a fraction: ``Decimal("1.2")`` is 120%) on their first commission."""
    with decimal.localcontext(ENGINE_CONTEXT):
        return _simulate(
            inputs,
            book,
            period,
            rates,
            employee,
            deal,
            amount,
            currency,
            attainment,
            prior,
            adjustments,
        )


def _simulate(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    employee: str,
    deal: str | None,
    amount: Decimal | None,
    currency: str | None,
    attainment: Decimal | None,
    prior: PriorState | None,
    adjustments: Sequence[Adjustment],
) -> Simulation:
    person = next((e for e in inputs.employees if e.id == employee), None)
    if person is None:
        raise EngineError(f"no employee {employee!r} in the inputs")
    closed = (prior or PriorState()).ordered()
    ctx = RunContext(inputs, period, rates)
    base = run_employee(ctx, book, person, closed, (), adjustments)
    # The versions in force over the period, as the run prices it: with a plan change
    # inside the period the quota is the sum of each version's prorated quota.
    found = period_earnings(ctx, book, person)
    if base is None or found is None:
        raise EngineError(f"employee {employee} is on no plan in {period.key}")
    pricing, last_day = found[1], found[2][-1].end  # the last day on a plan
    deals, credits, label, notes = _scenario(
        inputs, base, pricing, period, deal, amount, currency, attainment, last_day
    )
    changed_inputs = dataclasses.replace(inputs, deals=deals, credits=credits)
    after = run_employee(
        RunContext(changed_inputs, period, rates), book, person, closed, (), adjustments
    )
    assert after is not None  # same placement as the baseline
    before_lines = {line.key: line.amount for line in base.lines}
    changed = tuple(line for line in after.lines if before_lines.get(line.key) != line.amount)
    known = {w.key for w in base.withheld}
    return Simulation(
        employee=employee,
        period=period.key,
        currency=after.currency,
        scenario=label,
        before=base.total,
        after=after.total,
        delta=after.total - base.total,
        attainment_before=base.attainment,
        attainment_after=after.attainment,
        changed=changed,
        withheld=tuple(w for w in after.withheld if w.key not in known),
        notes=tuple(notes),
    )
