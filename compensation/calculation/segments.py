"""Plan changes inside a period: the period cut where the employee's placement changes.

A placement (plan version, assignment, currency, quota) holds from one day to another;
when a version or an assignment starts or ends inside the period, the period is cut there
and each part is priced on its own:

- a credit is priced by the part its deal closed in (no close date: the period's end);
- quota, caps, bonuses and the draw of each part are the plan-period amounts prorated by
  the part's days over the period's days (``proration`` of the plan in force on the
  period's last day: calendar days by default, or working days; both ends inclusive);
- every line says which version and which share of the period priced it;
- ``attainment`` and ``credited`` hold each part (``component|first day``) and the whole
  period (``component``: credited summed, over the sum of the parts' quotas).

With one placement for the whole period nothing is cut, and the results are exactly those
of pricing the period with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from compensation.calculation.context import Pricing, RunContext
from compensation.calculation.earnings import Earnings, earnings
from compensation.calculation.results import PayLine
from compensation.inputs import Employee
from compensation.plans import Period, Placement, PlanBook

__all__ = ["Part", "count_days", "draw_amount", "period_earnings", "placements"]

_ZERO = Decimal(0)
_DEAL_KINDS = frozenset({"commission", "spiff"})


def count_days(start: date, end: date, proration: str) -> int:
    """Days from ``start`` to ``end``, both included: calendar days, or Monday to Friday."""
    if end < start:
        return 0
    total = (end - start).days + 1
    if proration != "working_days":
        return total
    weeks, rest = divmod(total, 7)
    extra = sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
    return weeks * 5 + extra


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of the period under one placement."""

    start: date
    end: date
    placement: Placement
    days: int
    period_days: int

    def label(self) -> str:
        """``plan field v2, 2026-11-16 to 2026-12-31: 46 of 92 days``."""
        version = self.placement.version
        return (
            f"plan {version.plan} v{version.version}, {self.start} to {self.end}: "
            f"{self.days} of {self.period_days} days"
        )


def placements(book: PlanBook, employee: Employee, period: Period) -> list[Part]:
    """The placements of ``employee`` over ``period``, one :class:`Part` per stretch (days
    under no plan are left out)."""
    cuts = {period.start}
    for versions in book.versions.values():
        for version in versions:
            cuts.add(version.effective_from)
            if version.effective_to is not None:
                cuts.add(version.effective_to + timedelta(days=1))
    for item in book.assignments:
        cuts.add(item.start)
        if item.end is not None:
            cuts.add(item.end + timedelta(days=1))
    starts = sorted(c for c in cuts if period.start <= c <= period.end)
    stretches: list[tuple[date, date, Placement]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else period.end
        found = book.placement(employee, start)
        if found is None:
            continue
        if stretches and stretches[-1][2] == found and stretches[-1][1] + timedelta(1) == start:
            stretches[-1] = (stretches[-1][0], end, found)
        else:
            stretches.append((start, end, found))
    if not stretches:
        return []
    proration = stretches[-1][2].version.proration
    total = count_days(period.start, period.end, proration)
    return [Part(a, b, p, count_days(a, b, proration), total) for a, b, p in stretches]


def _mark(part: Part, lines: Sequence[PayLine]) -> list[PayLine]:
    version = part.placement.version
    detail = {
        "plan_version": version.id,
        "from": part.start.isoformat(),
        "to": part.end.isoformat(),
        "days": f"{part.days}/{part.period_days}",
    }
    out = []
    for line in lines:
        key = line.key
        if line.kind not in _DEAL_KINDS:
            key = f"{key}|{part.start.isoformat()}"
        out.append(
            dataclasses.replace(
                line,
                key=key,
                rule=f"{line.rule} [{part.label()}]",
                detail={**line.detail, **detail},
            )
        )
    return out


def _off_plan(ctx: RunContext, employee: str, parts: Sequence[Part]) -> list[str]:
    """Notes for credit on deals that closed on a day of the period under no plan."""
    out = []
    for credit in ctx.by_employee.get(employee, ()):
        deal = ctx.deals.get(credit.deal)
        if deal is None or not ctx.in_period(deal):
            continue
        day = deal.close_date or ctx.period.end
        if not any(p.start <= day <= p.end for p in parts):
            out.append(
                f"deal {deal.key} closed on {day}, a day on no plan: its {credit.amount} "
                f"{credit.currency} of {credit.pool} credit is not paid"
            )
    return out


def period_earnings(
    ctx: RunContext, book: PlanBook, employee: Employee
) -> tuple[Earnings, Pricing, list[Part]] | None:
    """The employee's earnings over ``ctx.period`` and the pricing of the period's last
    placement (for draws, history and the result's currency), or None when on no plan
    in the period. One placement over the whole period: priced as a whole."""
    parts = placements(book, employee, ctx.period)
    if not parts:
        return None
    period = ctx.period
    last = parts[-1]
    if len(parts) == 1 and last.start == period.start and last.end == period.end:
        pricing = Pricing(last.placement, period, employee.left_on)
        return earnings(ctx, pricing, employee.id), pricing, parts
    currency = last.placement.currency
    out = Earnings()
    quota: Decimal | None = None
    whole: dict[str, Decimal] = {}
    quotas: dict[str, Decimal] = {}
    for part in parts:
        placement = dataclasses.replace(part.placement, currency=currency)
        pricing = Pricing(placement, period, employee.left_on, (part.days, part.period_days))
        found = earnings(ctx, pricing, employee.id, (part.start, part.end))
        out.lines += _mark(part, found.lines)
        out.withheld += found.withheld
        out.notes += found.notes
        suffix = f"|{part.start.isoformat()}"
        out.attainment.update({k + suffix: v for k, v in found.attainment.items()})
        out.credited.update({k + suffix: v for k, v in found.credited.items()})
        if pricing.quota is not None:
            quota = (quota or _ZERO) + pricing.quota
        for name, value in found.credited.items():
            whole[name] = whole.get(name, _ZERO) + value
            if pricing.quota is not None:
                quotas[name] = quotas.get(name, _ZERO) + pricing.quota
    # The whole period too: credited summed over the parts, attainment against the sum of
    # the parts' prorated quotas.
    out.credited.update(whole)
    out.attainment.update({k: whole[k] / v for k, v in quotas.items() if v})
    described = " and ".join(
        f"plan {p.placement.version.plan} v{p.placement.version.version} from {p.start} to "
        f"{p.end} ({p.days} of {p.period_days} days)"
        for p in parts
    )
    out.notes.insert(0, f"priced under {described}")
    out.notes += _off_plan(ctx, employee.id, parts)
    placement = dataclasses.replace(last.placement, currency=currency)
    pricing = Pricing(placement, period, employee.left_on)
    pricing.quota = quota
    if any(p.placement.version.draw is not None for p in parts):
        pricing.draw_exact = draw_amount(parts, period, employee.left_on)
    return out, pricing, parts


def draw_amount(parts: Sequence[Part], period: Period, left_on: date | None) -> Decimal:
    """The period's draw over its parts: each part's plan-period draw prorated by the days
    of the part worked (up to ``left_on``, the last day worked) over the period's days,
    summed exactly (the caller rounds it once)."""
    total = _ZERO
    proration = parts[-1].placement.version.proration
    for part in parts:
        draw = part.placement.version.draw
        if draw is None:
            continue
        end = part.end if left_on is None else min(part.end, left_on)
        worked = count_days(part.start, end, proration)
        scale = Pricing(part.placement, period).scale
        total += draw.amount * scale * worked / part.period_days
    return total
