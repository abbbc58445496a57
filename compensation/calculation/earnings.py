"""An employee's earnings for a period: deal components, usage and KPI components, the
plan cap. (Clawbacks, prior-period changes, manual adjustments and draws come after, in
:mod:`compensation.calculation.history`.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compensation.calculation.commission import ComponentOutcome, commission_lines, spiff_lines
from compensation.calculation.context import Pricing, RunContext
from compensation.calculation.results import PayLine, WithheldLine
from compensation.inputs import Credit
from compensation.plans import (
    CommissionComponent,
    KpiBonusComponent,
    SpiffComponent,
    UsageBonusComponent,
    UsageMultiplierComponent,
)
from compensation.plans.values import format_percent as pct

__all__ = ["Earnings", "earnings"]

_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass(slots=True)
class Earnings:
    """Lines earned in the period, before history and draws."""

    lines: list[PayLine] = field(default_factory=list)
    withheld: list[WithheldLine] = field(default_factory=list)
    attainment: dict[str, Decimal] = field(default_factory=dict)
    credited: dict[str, Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _line(key: str, kind: str, name: str, amount: Decimal, pricing: Pricing, rule: str) -> PayLine:
    return PayLine(key, kind, name, pricing.round(amount), pricing.currency, rule)


def _usage_multiplier(comp: UsageMultiplierComponent, score: Decimal | None) -> tuple[Decimal, str]:
    if score is None:
        return comp.missing_score, "no CRM usage score this period"
    for band in comp.bands:
        if score >= band.min_score:
            return band.multiplier, f"usage score {score} is at least {band.min_score}"
    return _ONE, f"usage score {score} is below every band"


def _kpi_amount(comp: KpiBonusComponent, value: Decimal) -> tuple[Decimal, str]:
    best, why = _ZERO, "no band reached"
    for band in comp.bands:
        hit = (band.at_least is not None and value >= band.at_least) or (
            band.at_most is not None and value <= band.at_most
        )
        if hit and band.amount > best:
            limit = band.at_least if band.at_least is not None else band.at_most
            word = "at least" if band.at_least is not None else "at most"
            best, why = band.amount, f"{word} {pct(limit or _ZERO)}"
    return best, why


def _credits_in_window(
    ctx: RunContext, employee: str, window: tuple[date, date] | None, out: Earnings
) -> list[Credit]:
    credits: list[Credit] = []
    end = ctx.period.end
    for credit in ctx.by_employee.get(employee, ()):
        deal = ctx.deals.get(credit.deal)
        if deal is None:
            if window is None or window[1] == end:
                out.notes.append(f"credit on unknown deal {credit.deal} ignored")
        elif ctx.in_period(deal) and (
            window is None or window[0] <= (deal.close_date or end) <= window[1]
        ):
            credits.append(credit)
    return credits


def _usage_multiplier_line(
    comp: UsageMultiplierComponent,
    score: Decimal | None,
    by_component: dict[str, Decimal],
    pricing: Pricing,
) -> PayLine | None:
    base = sum((by_component.get(n, _ZERO) for n in comp.applies_to), _ZERO)
    factor, why = _usage_multiplier(comp, score)
    if factor == _ONE or not base:
        return None
    rule = f"{why}: × {factor} on {', '.join(comp.applies_to)} ({base})"
    return _line(
        f"usage|{comp.name}",
        "usage_multiplier",
        comp.name,
        base * (factor - _ONE),
        pricing,
        rule,
    )


def _usage_bonus_line(
    comp: UsageBonusComponent, score: Decimal | None, pricing: Pricing
) -> PayLine | None:
    if score is None or score < comp.min_score:
        return None
    rule = f"CRM usage score {score} reached {comp.min_score}"
    return _line(
        f"bonus|{comp.name}",
        "usage_bonus",
        comp.name,
        pricing.per_period(comp.amount),
        pricing,
        rule,
    )


def _kpi_bonus_line(
    comp: KpiBonusComponent, ctx: RunContext, employee: str, pricing: Pricing, out: Earnings
) -> PayLine | None:
    value = ctx.kpis.get((employee, comp.kpi))
    if value is None:
        out.notes.append(f"{comp.name}: no {comp.kpi} measured for this period")
        return None
    amount, why = _kpi_amount(comp, value)
    if not amount:
        return None
    rule = f"{comp.kpi} {pct(value)}: {why}"
    return _line(
        f"kpi|{comp.name}",
        "kpi_bonus",
        comp.name,
        pricing.per_period(amount),
        pricing,
        rule,
    )


def _cap_line(pricing: Pricing, lines: list[PayLine]) -> PayLine | None:
    cap_per_version = pricing.version.cap
    if cap_per_version is None:
        return None
    cap = pricing.round(pricing.per_period(cap_per_version))
    paid = sum((line.amount for line in lines), _ZERO)
    if paid <= cap:
        return None
    rule = f"the plan pays at most {cap} {pricing.currency} per period"
    return PayLine("cap|plan", "plan_cap", "plan", cap - paid, pricing.currency, rule)


def earnings(
    ctx: RunContext, pricing: Pricing, employee: str, window: tuple[date, date] | None = None
) -> Earnings:
    """Every earning line of ``employee`` under ``pricing`` in ``ctx.period`` (only deals
    closed in ``window`` when given: the part of the period ``pricing`` covers)."""
    out = Earnings()
    credits = _credits_in_window(ctx, employee, window, out)
    by_component: dict[str, Decimal] = {}
    score = ctx.usage.get(employee)
    for comp in pricing.version.components:
        outcome: ComponentOutcome | None = None
        extra: PayLine | None = None
        if isinstance(comp, CommissionComponent):
            outcome = commission_lines(ctx, pricing, comp, credits)
            if outcome.attainment is not None:
                out.attainment[comp.name] = outcome.attainment
            out.credited[comp.name] = outcome.credited
        elif isinstance(comp, SpiffComponent):
            outcome = spiff_lines(ctx, pricing, comp, credits)
        elif isinstance(comp, UsageMultiplierComponent):
            extra = _usage_multiplier_line(comp, score, by_component, pricing)
        elif isinstance(comp, UsageBonusComponent):
            extra = _usage_bonus_line(comp, score, pricing)
        else:
            extra = _kpi_bonus_line(comp, ctx, employee, pricing, out)
        if extra is not None:
            out.lines.append(extra)
        if outcome is not None:
            out.lines += outcome.lines
            out.withheld += outcome.withheld
            out.notes += outcome.notes
            by_component[comp.name] = sum((line.amount for line in outcome.lines), _ZERO)
    cap = _cap_line(pricing, out.lines)
    if cap is not None:
        out.lines.append(cap)
    return out
