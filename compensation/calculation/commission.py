"""Deal-based components: commission (tiers, threshold, cap) and SPIFFs.

Each credit line of the employee in the component's pools becomes one payable line (or a
withheld line when its deal fails a gate), keyed by component, deal, pool and slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from compensation.calculation.context import Priced, Pricing, RunContext
from compensation.calculation.gates import GateFailure
from compensation.calculation.results import PayLine, WithheldLine
from compensation.calculation.tiers import describe_tier, price_marginal, tier_at
from compensation.crediting.fill import SPLIT_LABELS, SPLIT_SLOTS
from compensation.inputs import Credit
from compensation.plans import CommissionComponent, SpiffComponent
from compensation.plans.values import format_percent as pct

__all__ = ["ComponentOutcome", "commission_lines", "deal_line", "spiff_lines"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class ComponentOutcome:
    """Lines of one component and, for commission, its attainment and credited base."""

    lines: list[PayLine] = field(default_factory=list)
    withheld: list[WithheldLine] = field(default_factory=list)
    attainment: Decimal | None = None
    credited: Decimal = _ZERO
    notes: list[str] = field(default_factory=list)


def _key(prefix: str, credit: Credit, seen: dict[str, int]) -> str:
    key = f"{prefix}|{credit.deal}|{credit.pool}|{credit.slot}"
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}#{count}"


def deal_line(
    key: str, kind: str, component: str, item: Priced, pricing: Pricing, amount: Decimal, rule: str
) -> PayLine:
    """A payable line that came from one credit, with its currency conversion."""
    credit = item.credit
    rate = item.rate
    return PayLine(
        key,
        kind,
        component,
        amount.quantize(pricing.unit, rounding=pricing.rounding),
        pricing.currency,
        rule,
        credit.deal,
        credit.pool,
        credit.slot,
        credit.share,
        credit.acts,
        credit.amount,
        credit.currency,
        rate.value,
        rate.date,
        rate.source,
        item.pay_amount,
        # A split line says whose split it is (the CRM's, or an admin's: who, when, why).
        {"credit": credit.note}
        if credit.slot in SPLIT_SLOTS and credit.note.startswith(SPLIT_LABELS)
        else {},
    )


def _after_leaving(closed: date | None, left_on: date | None) -> GateFailure | None:
    if closed is None or left_on is None or closed <= left_on:
        return None
    return GateFailure(
        "left",
        f"this deal closed on {closed.isoformat()}, after the last day worked "
        f"({left_on.isoformat()}): credit pays only on deals closed while employed",
        "Nothing to do: credit on deals closed while employed is still paid.",
    )


def _split_gated(
    ctx: RunContext, pricing: Pricing, name: str, credits: Sequence[Credit], pools: Sequence[str]
) -> tuple[list[Credit], list[WithheldLine]]:
    gates = pricing.version.gates
    if (
        gates.documented_days_before_close is None
        and not gates.required_fields
        and not (gates.min_activities)
        and gates.negative_amount == "pay"
        and pricing.left_on is None
    ):
        return [c for c in credits if c.pool in pools], []
    kept: list[Credit] = []
    withheld: list[WithheldLine] = []
    seen: dict[str, int] = {}
    for credit in credits:
        if credit.pool not in pools:
            continue
        deal = ctx.deals[credit.deal]
        failure = _after_leaving(deal.close_date, pricing.left_on) or ctx.gate(
            pricing.version, deal
        )
        if failure is None:
            kept.append(credit)
            continue
        withheld.append(
            WithheldLine(
                key=_key(f"withheld|{name}", credit, seen),
                component=name,
                deal=credit.deal,
                pool=credit.pool,
                slot=credit.slot,
                share=credit.share,
                acts=credit.acts,
                original_amount=credit.amount,
                original_currency=credit.currency,
                gate=failure.gate,
                reason=failure.reason,
                advice=failure.advice,
            )
        )
    return kept, withheld


def _round_to_total(
    exact: Sequence[Decimal], keys: Sequence[str], pricing: Pricing
) -> list[Decimal]:
    """Round each line so the lines sum to the rounded exact total (largest remainder, ties
    to the smaller key): a marginal component's total then never depends on how the
    close order cut the revenue into slices."""
    rounded = [pricing.round(amount) for amount in exact]
    diff = pricing.round(sum(exact, _ZERO)) - sum(rounded, _ZERO)
    if not diff:
        return rounded
    step = Decimal(1).scaleb(-pricing.version.places).copy_sign(diff)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - rounded[i]) * step, keys[i]))
    for index in order[: int(abs(diff) / abs(step))]:
        rounded[index] += step
    return rounded


def _in_pay_currency(item: Priced, quota_amount: Decimal) -> Decimal:
    """A tiered amount priced in quota currency, in pay currency (the same figure when the
    two currencies are the same: no division, so an exact half cent stays exact)."""
    if item.quota_amount == item.pay_amount or not item.quota_amount:
        return quota_amount
    return quota_amount * item.pay_amount / item.quota_amount


def commission_lines(
    ctx: RunContext, pricing: Pricing, comp: CommissionComponent, credits: Sequence[Credit]
) -> ComponentOutcome:
    """Commission on the employee's credited revenue in ``comp.pools`` for the period."""
    kept, withheld = _split_gated(ctx, pricing, comp.name, credits, comp.pools)
    priced = pricing.price(ctx, kept)
    out = ComponentOutcome(withheld=withheld)
    out.credited = sum((p.quota_amount for p in priced), _ZERO)
    quota = pricing.quota
    out.attainment = out.credited / quota if quota else None
    if quota is None and len(comp.tiers) > 1:
        out.notes.append(f"{comp.name}: no quota, so tier 1's rate applies to all revenue")
    below = (
        comp.threshold is not None
        and out.attainment is not None
        and out.attainment < comp.threshold
    )
    seen: dict[str, int] = {}
    keys = [_key(f"commission|{comp.name}", item.credit, seen) for item in priced]
    if below:
        rule = (
            f"threshold {pct(comp.threshold or _ZERO)} not reached "
            f"(attainment {pct(round(out.attainment or _ZERO, 4))}): nothing pays"
        )
        priced_at = [(_ZERO, rule)] * len(priced)
        paid = [_ZERO] * len(priced)
    elif comp.mode == "retroactive":
        index = tier_at(comp.tiers, out.attainment)
        rule = f"retroactive: {describe_tier(index, comp.tiers[index])} on all revenue"
        priced_at = [(comp.tiers[index].rate, rule)] * len(priced)
        paid = [item.pay_amount * comp.tiers[index].rate for item in priced]
    else:
        # Marginal: each slice priced exactly, each line rounded once (to the total).
        priced_at = price_marginal(comp.tiers, [p.quota_amount for p in priced], quota)
        if quota is None:  # tier 1's rate on everything, straight on the pay amount
            exact = [item.pay_amount * comp.tiers[0].rate for item in priced]
        else:
            exact = [
                _in_pay_currency(item, amount)
                for item, (amount, _) in zip(priced, priced_at, strict=True)
            ]
        paid = _round_to_total(exact, keys, pricing)
    for key, item, (_, rule), amount in zip(keys, priced, priced_at, paid, strict=True):
        out.lines.append(deal_line(key, "commission", comp.name, item, pricing, amount, rule))
    if comp.cap is not None:
        cap = pricing.round(pricing.per_period(comp.cap))
        total = sum((line.amount for line in out.lines), _ZERO)
        if total > cap:
            out.lines.append(
                PayLine(
                    key=f"cap|{comp.name}",
                    kind="cap",
                    component=comp.name,
                    amount=cap - total,
                    currency=pricing.currency,
                    rule=f"{comp.name} is capped at {cap} {pricing.currency} per period",
                )
            )
    return out


def spiff_lines(
    ctx: RunContext, pricing: Pricing, comp: SpiffComponent, credits: Sequence[Credit]
) -> ComponentOutcome:
    """A SPIFF on deals with one of the products and/or closing in the window."""
    products = {p.casefold() for p in comp.products}

    def eligible(credit: Credit) -> bool:
        deal = ctx.deals[credit.deal]
        if products and not any(p.casefold() in products for p in deal.products):
            return False
        window = comp.window
        return window is None or (
            deal.close_date is not None and window.start <= deal.close_date <= window.end
        )

    kept, withheld = _split_gated(
        ctx, pricing, comp.name, [c for c in credits if eligible(c)], comp.pools
    )
    out = ComponentOutcome(withheld=withheld)
    seen: dict[str, int] = {}
    for item in pricing.price(ctx, kept):
        key = _key(f"spiff|{comp.name}", item.credit, seen)
        if comp.per_deal is not None:
            amount = comp.per_deal * item.credit.share * (1 if item.credit.amount >= 0 else -1)
            rule = f"SPIFF {comp.name}: {comp.per_deal} {pricing.currency} per deal × your share"
        else:
            amount = item.pay_amount * (comp.rate or _ZERO)
            rule = f"SPIFF {comp.name}: {pct(comp.rate or _ZERO)} of credited revenue"
        out.lines.append(deal_line(key, "spiff", comp.name, item, pricing, amount, rule))
    return out
