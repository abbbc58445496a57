"""Per-deal values the compute step publishes for write-back.

- ``incentive_total`` (won deals): everything the period's result pays on the deal, all
  payees, converted to the deal's currency at the plan's dated rate;
- ``share_<slot>`` (won and open deals): who holds each revenue slot, e.g.
  ``"Ana Ruiz 40%"`` (several payees separated by ``; ``);
- ``estimated_commission`` (open deals): what the deal would pay its credited payees at
  the tier each is in now, before gates and caps — the rep's pipeline estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from compensation.calculation import PeriodResult
from compensation.inputs import Credit
from compensation.money import quantize
from compensation.plans import CommissionComponent, Period
from compensation.rates import MissingRateError
from sync.compute.prepare import Prepared

__all__ = ["deal_values"]

_ZERO = Decimal(0)
_PAID_KINDS = ("commission", "spiff", "cap")


def _percent(share: Decimal) -> str:
    value = (share * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}%"


def _shares(credits: Iterable[Credit], names: dict[str, str]) -> dict[str, str]:
    by_slot: dict[str, dict[str, Decimal]] = {}
    for credit in credits:
        if credit.pool != "revenue":
            continue
        who = names.get(credit.employee or "", credit.employee or "house")
        slot = by_slot.setdefault(credit.slot, {})
        slot[who] = slot.get(who, _ZERO) + credit.share
    return {
        slot: "; ".join(f"{who} {_percent(share)}" for who, share in sorted(people.items()))
        for slot, people in sorted(by_slot.items())
    }


def deal_values(
    prepared: Prepared, result: PeriodResult, period: Period
) -> list[tuple[str, str, str, Decimal | str]]:
    """(source, remote_id, key, value) rows, sorted; see the module docstring."""
    deals = {d.key: d for d in prepared.inputs.deals}
    names = {k: e.name for k, e in prepared.directory.employees.items()}
    credits: dict[str, list[Credit]] = {}
    for credit in prepared.inputs.credits:
        credits.setdefault(credit.deal, []).append(credit)
    paid: dict[str, Decimal] = {}
    for emp in result.employees:
        for line in emp.lines:
            deal = deals.get(line.deal or "")
            if deal is None or line.kind not in _PAID_KINDS:
                continue
            day = deal.close_date or period.end
            try:
                rate = prepared.rates.rate(line.currency, deal.currency, day)
            except MissingRateError:
                continue
            paid[deal.key] = paid.get(deal.key, _ZERO) + rate.convert(line.amount)
    attainment = {e.employee: e.attainment for e in result.employees}
    rows: list[tuple[str, str, str, Decimal | str]] = []
    for key, deal in sorted(deals.items()):
        source, remote_id = prepared.evidence.refs[key]
        if deal.state == "won" and key in paid:
            rows.append((source, remote_id, "incentive_total", quantize(paid[key], 2)))
        if deal.state in ("won", "open"):
            for slot, text in _shares(credits.get(key, ()), names).items():
                rows.append((source, remote_id, f"share_{slot}", text))
        if deal.state == "open":
            estimate = _estimate(prepared, credits.get(key, ()), attainment, period)
            rows.append((source, remote_id, "estimated_commission", quantize(estimate, 2)))
    return rows


def _estimate(
    prepared: Prepared,
    credits: Iterable[Credit],
    attainment: Mapping[str, object],
    period: Period,
) -> Decimal:
    from compensation.calculation.tiers import tier_at

    total = _ZERO
    for credit in credits:
        person = prepared.directory.employees.get(credit.employee or "")
        version = prepared.book.plan_for(person, period.end) if person else None
        if version is None:
            continue
        reached = attainment.get(credit.employee or "") or {}
        for comp in version.components:
            if isinstance(comp, CommissionComponent) and credit.pool in comp.pools:
                level = reached.get(comp.name) if isinstance(reached, dict) else None
                total += credit.amount * comp.tiers[tier_at(comp.tiers, level)].rate
    return total
