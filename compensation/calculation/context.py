"""Shared state of one run: indexes over the inputs, and one employee's pricing terms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compensation.calculation.gates import GateFailure, check_gates
from compensation.calculation.records import PeriodInputs
from compensation.inputs import Credit, Deal
from compensation.money import quantize
from compensation.plans import Period, Placement, PlanVersion
from compensation.rates import Rate, RateTable

__all__ = ["Priced", "Pricing", "RunContext"]


class RunContext:
    """Indexes over one input snapshot, for one period."""

    def __init__(self, inputs: PeriodInputs, period: Period, rates: RateTable) -> None:
        self.inputs = inputs
        self.period = period
        self._start, self._end = period.start, period.end
        self.rates = rates
        self.deals: dict[str, Deal] = {d.key: d for d in inputs.deals}
        self.by_employee: dict[str, list[Credit]] = {}
        acts: dict[str, set[str]] = {}
        for credit in inputs.credits:
            if credit.employee is not None:
                self.by_employee.setdefault(credit.employee, []).append(credit)
            acts.setdefault(credit.deal, set()).update(credit.acts)
        end = period.end
        closes = {d.key: d.close_date or end for d in inputs.deals}
        for items in self.by_employee.values():
            items.sort(
                key=lambda c: (
                    closes.get(c.deal, end),
                    c.deal,
                    c.pool,
                    c.slot,
                    c.share,
                    c.amount,
                    c.acts,
                )
            )
        self.activities = {k: len(v) for k, v in acts.items()} | dict(inputs.activities)
        self.usage = {u.employee: u.score for u in inputs.usage}
        self.kpis = {
            (k.employee, k.name): k.value for k in inputs.kpis if k.period in ("", period.key)
        }
        self._gates: dict[int, dict[str, GateFailure | None]] = {}

    def in_period(self, deal: Deal) -> bool:
        """A deal pays in this period when it closed won in it (a deal reversed after the
        period still counts here: its reversal is a clawback in a later period)."""
        close = deal.close_date
        if close is None or not self._start <= close <= self._end:
            return False
        if deal.state == "won":
            return True
        return deal.reversed_on is not None and deal.reversed_on > self._end

    def gate(self, version: PlanVersion, deal: Deal) -> GateFailure | None:
        """The gate failure of ``deal`` under ``version`` (cached)."""
        cache = self._gates.get(id(version))
        if cache is None:
            cache = self._gates[id(version)] = {}
        if deal.key in cache:
            return cache[deal.key]
        found = cache[deal.key] = check_gates(version.gates, deal, self.activities.get(deal.key, 0))
        return found

    def rate_day(self, version: PlanVersion, deal: Deal) -> date:
        """The deal date the plan converts currencies on."""
        if version.rate_date == "created_at":
            return deal.created_at.date()
        if version.rate_date == "reversed_on" and deal.reversed_on is not None:
            return deal.reversed_on
        return deal.close_date or self.period.end


@dataclass(slots=True)
class Priced:
    """A credit converted to the pay and quota currencies."""

    credit: Credit
    deal: Deal
    rate: Rate
    pay_amount: Decimal
    quota_amount: Decimal


class Pricing:
    """One employee's terms for the run: plan version, currency, scaled quota, rounding."""

    def __init__(
        self,
        placement: Placement,
        period: Period,
        left_on: date | None = None,
        days: tuple[int, int] | None = None,
    ) -> None:
        version = placement.version
        # (days covered, days in the period) when this placement covers part of the
        # period: quota and plan-period amounts are prorated by it.
        self.days = days
        # The period's exact draw when plan versions or assignments change inside it.
        self.draw_exact: Decimal | None = None
        self.version = version
        # Credit on a deal closed after the last day worked is withheld, not paid.
        self.left_on = left_on
        self.unit = quantize(Decimal(0), version.places, version.rounding)
        self.rounding = version.rounding
        self.currency = placement.currency
        plan_months = Period.containing(period.start, version.period).months
        self.scale = Decimal(period.months) / Decimal(plan_months)
        quota = placement.quota
        self.quota_currency = (
            quota.currency if quota and quota.currency else self.currency
        ).upper()
        self.quota: Decimal | None = None
        if quota is not None:
            quota_months = Period.containing(period.start, quota.per or version.period).months
            self.quota = quota.amount * Decimal(period.months) / Decimal(quota_months)
            if days:
                self.quota = self.quota * days[0] / days[1]

    def round(self, amount: Decimal) -> Decimal:
        """Quantize a final payable amount with the plan's places and rounding."""
        return amount.quantize(self.unit, rounding=self.rounding)

    def per_period(self, amount: Decimal) -> Decimal:
        """A plan-period amount (cap, bonus, draw) for this run's period length (and the
        days this placement covers of it)."""
        if self.days:
            return amount * self.scale * self.days[0] / self.days[1]
        return amount * self.scale

    def price(self, ctx: RunContext, credits: Sequence[Credit]) -> list[Priced]:
        """Convert credits at the plan's dated rate (in the given order: the run context
        keeps each employee's credits by close date, deal, pool, slot, share, amount, acts: an
        order that never depends on the input order)."""
        out = []
        deals, rate, pay_ccy, quota_ccy = (
            ctx.deals,
            ctx.rates.rate,
            self.currency,
            self.quota_currency,
        )
        rate_day = ctx.rate_day
        version = self.version
        for credit in credits:
            deal = deals[credit.deal]
            day = rate_day(version, deal)
            found = rate(credit.currency, pay_ccy, day)
            pay = credit.amount * found.value
            if quota_ccy == pay_ccy:
                quota_amount = pay
            else:
                quota_amount = credit.amount * rate(credit.currency, quota_ccy, day).value
            out.append(Priced(credit, deal, found, pay, quota_amount))
        return out
