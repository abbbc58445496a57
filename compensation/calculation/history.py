"""Lines that come from history: clawbacks, changes to closed periods, manual
adjustments, and draws. Closed results are read, never rewritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from compensation.calculation.context import Pricing, RunContext
from compensation.calculation.records import Adjustment, ClosedPeriod
from compensation.calculation.results import PayLine
from compensation.calculation.segments import count_days, period_earnings
from compensation.inputs import Employee
from compensation.money import allocate
from compensation.plans import Period, PlanBook
from compensation.plans.values import format_percent as pct

__all__ = [
    "EARNING_KINDS",
    "clawback_lines",
    "draw_lines",
    "manual_lines",
    "prior_lines",
    "settle_on_leaving",
]

_ZERO = Decimal(0)
EARNING_KINDS = frozenset(
    {"commission", "cap", "spiff", "usage_multiplier", "usage_bonus", "kpi_bonus", "plan_cap"}
)


def _convert(ctx: RunContext, amount: Decimal, ccy: str, pricing: Pricing, day: date) -> Decimal:
    if ccy == pricing.currency:
        return amount
    return pricing.round(ctx.rates.rate(ccy, pricing.currency, day).convert(amount))


def clawback_lines(
    ctx: RunContext, pricing: Pricing, employee: str, closed: Sequence[ClosedPeriod]
) -> tuple[list[PayLine], list[str]]:
    """Take back what closed periods paid on deals reversed since, within the window."""
    rule = pricing.version.clawback
    if rule is None:
        return [], []
    paid: dict[str, list[tuple[PayLine, ClosedPeriod]]] = {}
    done: set[str] = set()
    for item in closed:
        result = item.result.employee(employee)
        for line in result.lines if result else ():
            if line.kind == "clawback" and line.deal:
                done.add(line.deal)
            elif line.kind in ("commission", "spiff") and line.deal:
                paid.setdefault(line.deal, []).append((line, item))
    lines: list[PayLine] = []
    notes: list[str] = []
    for deal_key in sorted(paid):
        deal = ctx.deals.get(deal_key)
        if deal is None or deal.reversed_on is None or deal_key in done:
            continue
        originals = paid[deal_key]
        last = max(originals, key=lambda o: o[1].closed_on)[1]
        if not last.result.end < deal.reversed_on <= ctx.period.end:
            continue  # reversed inside the paid period: a prior-period change, not a clawback
        days = (deal.reversed_on - last.closed_on).days
        if days > rule.within_days:
            if ctx.period.contains(deal.reversed_on):
                notes.append(
                    f"deal {deal_key} was reversed {days} days after payment, outside the "
                    f"{rule.within_days}-day clawback window: nothing is taken back"
                )
            continue
        amounts = [o[0].amount for o in originals]
        total = sum(amounts, _ZERO)
        back = -pricing.round(total * rule.portion)
        if all(a >= 0 for a in amounts) and any(amounts):
            places = pricing.version.places
            parts = allocate(back, amounts, [o[0].key for o in originals], places)
        else:
            parts = [-pricing.round(a * rule.portion) for a in amounts]
        for (original, item), part in zip(originals, parts, strict=True):
            # Each line's own period: the wording follows the real order of the two dates
            # (a reversal can come before the period it was paid in is closed).
            gap = (deal.reversed_on - item.closed_on).days
            when = (
                f"{gap} days after it was paid"
                if gap >= 0
                else f"{-gap} days before its period was closed and paid"
            )
            if gap == 0:
                when = "the day it was paid"
            why = (
                f"clawback: deal reversed on {deal.reversed_on.isoformat()}, {when} "
                f"({item.result.period}, closed {item.closed_on.isoformat()}); "
                f"{pct(rule.portion)} of {original.amount} {original.currency} taken back"
            )
            amount = _convert(ctx, part, original.currency, pricing, deal.reversed_on)
            lines.append(
                PayLine(
                    key=f"clawback|{item.result.period}|{original.key}",
                    kind="clawback",
                    component=original.component,
                    amount=amount,
                    currency=pricing.currency,
                    rule=why,
                    deal=original.deal,
                    pool=original.pool,
                    slot=original.slot,
                    share=original.share,
                    acts=original.acts,
                    original_amount=original.amount,
                    original_currency=original.currency,
                    detail={"paid_in": item.result.period, "paid_line": original.key},
                )
            )
    return lines, notes


def prior_lines(
    pricing: Pricing,
    ctx: RunContext,
    employee: Employee,
    reruns: Sequence[tuple[ClosedPeriod, RunContext]],
    closed: Sequence[ClosedPeriod],
    book: PlanBook,
) -> list[PayLine]:
    """Re-run each closed period on today's inputs; post what changed as adjustments."""
    posted: dict[str, Decimal] = {}
    for item in closed:
        result = item.result.employee(employee.id)
        for line in result.lines if result else ():
            if line.kind == "prior_period":
                posted[line.key] = posted.get(line.key, _ZERO) + line.amount
    lines: list[PayLine] = []
    for item, rerun in reruns:
        old_result = item.result.employee(employee.id)
        old = {
            line.key: line
            for line in (old_result.lines if old_result else ())
            if line.kind in EARNING_KINDS
        }
        found = period_earnings(rerun, book, employee)
        new = {line.key: line for line in found[0].lines} if found is not None else {}
        for key in sorted(set(old) | set(new)):
            was = old[key].amount if key in old else _ZERO
            now = new[key].amount if key in new else _ZERO
            line_key = f"prior|{item.result.period}|{key}"
            delta = now - was - posted.get(line_key, _ZERO)
            if not delta:
                continue
            source = new.get(key) or old[key]
            lines.append(
                PayLine(
                    key=line_key,
                    kind="prior_period",
                    component=source.component,
                    amount=_convert(ctx, delta, source.currency, pricing, ctx.period.end),
                    currency=pricing.currency,
                    rule=(
                        f"change to closed period {item.result.period}: {key} paid {was}, "
                        f"now computes {now}; the difference is paid here"
                    ),
                    deal=source.deal,
                    pool=source.pool,
                    slot=source.slot,
                    share=source.share,
                    acts=source.acts,
                    detail={
                        **{k: v for k, v in source.detail.items() if k == "credit"},
                        "period": item.result.period,
                        "was": str(was),
                        "now": str(now),
                    },
                )
            )
    return lines


def manual_lines(
    ctx: RunContext,
    pricing: Pricing,
    employee: str,
    adjustments: Sequence[Adjustment],
    closed: Sequence[ClosedPeriod],
) -> list[PayLine]:
    """Manual adjustments of this period, and late ones for closed periods."""
    closed_keys = {c.result.period for c in closed}
    posted: set[str] = set()
    for item in closed:
        result = item.result.employee(employee)
        posted.update(
            line.key for line in (result.lines if result else ()) if line.kind == "manual"
        )
    lines = []
    for adj in sorted(adjustments, key=lambda a: (a.at, a.id)):
        key = f"manual|{adj.id}"
        if adj.employee != employee or key in posted:
            continue
        if adj.period != ctx.period.key and adj.period not in closed_keys:
            continue
        late = "" if adj.period == ctx.period.key else f" (for closed period {adj.period})"
        lines.append(
            PayLine(
                key=key,
                kind="manual",
                component="manual",
                amount=pricing.round(
                    _convert(ctx, adj.amount, adj.currency, pricing, adj.at.date())
                ),
                currency=pricing.currency,
                rule=f"manual adjustment by {adj.by} at {adj.at.isoformat()}{late}: {adj.reason}",
                original_amount=adj.amount,
                original_currency=adj.currency,
                detail={
                    "by": adj.by,
                    "at": adj.at.isoformat(),
                    "reason": adj.reason,
                    "period": adj.period,
                },
            )
        )
    return lines


def _draw_after_leaving(
    pricing: Pricing, earned: Decimal, balance: Decimal, left_on: date | None
) -> tuple[list[PayLine], Decimal, list[str]]:
    draw = pricing.version.draw
    assert draw is not None
    ccy = pricing.currency
    last = f"on {left_on.isoformat()}" if left_on else "(inactive in every CRM)"
    notes = [f"left {last}: no draw is paid for a period after the last day worked"]
    if draw.kind != "recoverable" or balance <= 0:
        return [], balance, notes
    if draw.on_leaving == "write_off":
        notes.append(
            f"recoverable draw balance {balance} {ccy} written off on leaving "
            "(draw.on_leaving: write_off)"
        )
        return [], _ZERO, notes
    recover = min(balance, max(earned, _ZERO))
    notes.append(
        f"recoverable draw balance {balance} {ccy}: {recover} recovered from earnings paid "
        f"after leaving, {balance - recover} still to recover (draw.on_leaving: "
        "recover_from_final)"
    )
    if recover <= 0:
        return [], balance, notes
    rule = (
        f"recoverable draw: {recover} {ccy} of the {balance} balance recovered from earnings "
        "paid after leaving (draw.on_leaving: recover_from_final)"
    )
    line = PayLine("draw|recovery", "draw_recovery", "draw", -recover, ccy, rule)
    return [line], balance - recover, notes


def _prorated_draw(
    pricing: Pricing, period: Period | None, left_on: date | None
) -> tuple[Decimal, str, list[str]]:
    """The period's draw, prorated by calendar days to the last day worked when the
    employee leaves inside the period: (amount, how, notes)."""
    draw = pricing.version.draw
    assert draw is not None
    if pricing.draw_exact is not None:
        # Plan versions or assignments changed inside the period: prorated over them.
        amount = pricing.round(pricing.draw_exact)
        return amount, " (prorated over the plan versions of the period)", []
    whole = pricing.round(pricing.per_period(draw.amount))
    if period is None or left_on is None or not period.start <= left_on < period.end:
        return whole, "", []
    proration = pricing.version.proration
    worked = count_days(period.start, left_on, proration)
    days = count_days(period.start, period.end, proration)
    amount = pricing.round(pricing.per_period(draw.amount) * worked / days)
    note = (
        f"left on {left_on.isoformat()}, after {worked} of the {days} days of {period.key}: "
        f"the draw of {whole} {pricing.currency} is prorated to {amount} {pricing.currency}"
    )
    return amount, f" ({whole} prorated to {worked} of {days} days worked)", [note]


def draw_lines(
    pricing: Pricing,
    earned: Decimal,
    balance: Decimal,
    left: bool = False,
    left_on: date | None = None,
    period: Period | None = None,
) -> tuple[list[PayLine], Decimal, list[str]]:
    """Top up to the draw; a recoverable draw also recovers its balance from earnings
    above the draw. In the ``period`` the employee leaves in, the draw is prorated to the
    calendar days up to ``left_on`` (the last day worked, inclusive). After the employee
    ``left``, no draw is paid and the balance follows ``draw.on_leaving``. Returns the
    lines, the balance carried forward and notes."""
    draw = pricing.version.draw
    if draw is None:
        return [], balance, []
    if left:
        return _draw_after_leaving(pricing, earned, balance, left_on)
    amount, prorated, notes = _prorated_draw(pricing, period, left_on)
    ccy = pricing.currency
    if earned < amount:
        top_up = amount - earned
        carried = balance + top_up if draw.kind == "recoverable" else balance
        rule = (
            f"{draw.kind.replace('_', '-')} draw of {amount} {ccy}{prorated}: "
            f"earnings {earned} topped up"
        )
        if draw.kind == "recoverable":
            rule += f"; balance to recover {carried}"
        line = PayLine("draw|top_up", "draw_top_up", "draw", top_up, ccy, rule)
        return [line], carried, notes
    recover = min(balance, earned - amount) if draw.kind == "recoverable" else _ZERO
    if recover <= 0:
        return [], balance, notes
    rule = (
        f"recoverable draw: {recover} {ccy} of the {balance} balance recovered from "
        f"earnings above {amount}"
    )
    line = PayLine("draw|recovery", "draw_recovery", "draw", -recover, ccy, rule)
    return [line], balance - recover, notes


def settle_on_leaving(
    pricing: Pricing,
    start: Decimal,
    drawn: Sequence[PayLine],
    end: Decimal,
    left_on: date | None,
    left: bool,
    period: Period,
) -> tuple[Decimal, Decimal, str | None, list[str]]:
    """The recoverable balance once the employee has left: (balance carried, amount written
    off this period, the ``draw.on_leaving`` policy applied or None, notes).

    The period they leave in is the final one: the balance left after its top-up or
    recovery is written off there (``write_off``) or carried, to be recovered from later
    payments (``recover_from_final``). A period after leaving settles what is still carried
    the same way (see :func:`draw_lines`)."""
    draw = pricing.version.draw
    final = left_on is not None and period.start <= left_on <= period.end
    if draw is None or draw.kind != "recoverable" or not (left or final):
        return end, _ZERO, None, []
    carried = start + sum((line.amount for line in drawn), _ZERO)
    if final and draw.on_leaving == "write_off" and end > 0:
        note = (
            f"recoverable draw balance {end} {pricing.currency} left after the final period "
            "written off (draw.on_leaving: write_off)"
        )
        return _ZERO, end, draw.on_leaving, [note]
    return end, max(carried - end, _ZERO), draw.on_leaving, []
