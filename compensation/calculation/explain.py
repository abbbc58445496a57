"""Explanations of an employee's result, JSON-able, for ``crmsync plan explain`` and
statements: each payable line down to the deal, the slot, the acts that filled it (with
crediting's reason when its :class:`~compensation.crediting.DealExplanation` is given),
the exchange rate and the rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compensation.calculation.results import EmployeeResult, PayLine
from compensation.crediting import CreditScheme, DealExplanation
from compensation.plans import PlanVersion
from compensation.plans.values import format_percent as pct

__all__ = ["explain_employee", "explain_line", "plan_policies", "pool_policy"]


def _slot_reason(
    line: PayLine, crediting: Mapping[str, DealExplanation], employee: str | None
) -> dict[str, Any] | None:
    found = crediting.get(line.deal or "")
    if found is None:
        return None
    matching = [s for s in found.slots if s.pool == line.pool and s.slot == line.slot]
    # A split fills one slot per employee: the payee's own entry says their percentage.
    mine = [s for s in matching if employee in s.employees]
    for slot in (mine or matching)[:1]:
        return {
            "weight": str(slot.weight),
            "filled_by": list(slot.filled_by),
            "candidates": list(slot.candidates),
            "reason": slot.reason,
            "window": list(found.window),
        }
    return None


def explain_line(
    line: PayLine,
    crediting: Mapping[str, DealExplanation] | None = None,
    employee: str | None = None,
) -> dict[str, Any]:
    """One line as a plain dict (strings for amounts and dates)."""
    out: dict[str, Any] = {
        "key": line.key,
        "kind": line.kind,
        "component": line.component,
        "amount": str(line.amount),
        "currency": line.currency,
        "rule": line.rule,
    }
    if line.deal is not None:
        out["deal"] = {
            "deal": line.deal,
            "pool": line.pool,
            "slot": line.slot,
            "share": None if line.share is None else str(line.share),
            "acts": list(line.acts),
        }
        reason = _slot_reason(line, crediting or {}, employee)
        if reason is not None:
            out["deal"]["crediting"] = reason
    if line.fx_rate is not None:
        out["fx"] = {
            "original_amount": str(line.original_amount),
            "original_currency": line.original_currency,
            "rate": str(line.fx_rate),
            "rate_date": line.fx_date.isoformat() if line.fx_date else None,
            "source": line.fx_source,
            "converted_amount": str(line.converted_amount),
        }
    if line.detail:
        out["detail"] = dict(sorted(line.detail.items()))
    return out


def explain_employee(
    result: EmployeeResult, crediting: Mapping[str, DealExplanation] | None = None
) -> dict[str, Any]:
    """The whole result of one employee as a plain, JSON-able dict."""
    return {
        "employee": result.employee,
        "name": result.name,
        "plan": f"{result.plan} v{result.plan_version}",
        "currency": result.currency,
        "total": str(result.total),
        "totals": {k: str(v) for k, v in result.totals.items()},
        "attainment": {k: str(v) for k, v in result.attainment.items()},
        "quota": None if result.quota is None else f"{result.quota} {result.quota_currency}",
        "usage_score": None if result.usage_score is None else str(result.usage_score),
        "draw_balance": {
            "start": str(result.draw_balance_start),
            "end": str(result.draw_balance_end),
            "written_off": str(result.draw_written_off),
            "on_leaving": result.draw_on_leaving,
        },
        "lines": [explain_line(line, crediting, result.employee) for line in result.lines],
        "withheld": [
            {
                "key": w.key,
                "component": w.component,
                "deal": w.deal,
                "slot": w.slot,
                # the credit withheld (the deal's revenue share), not what it would pay:
                # a SPIFF of 750 per deal withholds a 28,553.58 credit, not 28,553.58 of pay
                "credited": f"{w.original_amount} {w.original_currency}",
                "gate": w.gate,
                "reason": w.reason,
                "advice": w.advice,
            }
            for w in result.withheld
        ],
        "notes": list(result.notes),
    }


def pool_policy(scheme: CreditScheme, pool: str) -> str:
    """What ``pool`` of ``scheme`` does with shares that have no recipient, in words."""
    unclaimed = scheme.unclaimed_of(pool)
    spec = scheme.pools.get(pool)
    rolled = spec is not None and spec.manager_of is not None
    if unclaimed == "return_to_company":
        fate = "kept by the company (house credit)"
    else:
        fate = (
            "spread pro rata over the managers' shares"
            if rolled
            else ("spread pro rata over the filled slots")
        )
    if spec is None:
        return f"vacant slots are {fate} (vacancy: {scheme.vacancy})"
    budget = f"budget {pct(spec.budget)}"
    if rolled and spec.level > 1:
        what = (
            f"roll-up of {spec.manager_of} to the manager {spec.level} levels up, {budget}: "
            f"shares of payees with nobody {spec.level} levels up"
        )
    elif rolled:
        what = f"roll-up of {spec.manager_of}, {budget}: shares of payees without a manager"
    else:
        what = f"{budget}: vacant slots"
    return f"{what} are {fate} (unclaimed: {unclaimed})"


def plan_policies(version: PlanVersion) -> dict[str, str]:
    """The plan's stated policies an employee may ask about: the draw (and leaving), a
    negative won deal, proration, and the unclaimed shares of each pool its crediting
    declares."""
    out: dict[str, str] = {}
    draw = version.draw
    if draw is not None:
        text = (
            f"{draw.kind.replace('_', '-')} draw of {draw.amount} {version.currency} per "
            f"{version.period}; prorated to the days worked in the period of leaving, "
            "none for a period after the last day worked"
        )
        if draw.kind == "recoverable":
            settle = (
                "written off"
                if draw.on_leaving == "write_off"
                else "recovered from the earnings paid after leaving"
            )
            text += f"; the balance on leaving is {settle} (draw.on_leaving: {draw.on_leaving})"
        out["draw"] = text
    out["negative_amount"] = (
        "a deal won with a negative amount is "
        + ("paid as negative lines" if version.gates.negative_amount == "pay" else "withheld")
        + f" and named in the run's warnings (gates.negative_amount: "
        f"{version.gates.negative_amount})"
    )
    days = (
        "working days (Monday to Friday)"
        if version.proration == "working_days"
        else ("calendar days")
    )
    out["proration"] = (
        f"a plan version or assignment that changes inside a period, and the draw of the "
        f"period of leaving, are prorated by {days}, both ends included "
        f"(proration: {version.proration})"
    )
    if version.crediting is not None:
        for pool in version.crediting.pool_order():
            out[f"pool {pool}"] = pool_policy(version.crediting, pool)
    return out
