"""Run warnings about money nobody is told about: a won deal nobody owns, and credit for
someone who is on no plan or unknown. Each names the deal, the amount and what to fix."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from compensation.calculation.context import RunContext
from compensation.inputs import Deal

__all__ = ["unclaimed_warnings"]

_ZERO = Decimal(0)


def _won(deal: Deal) -> str:
    return (
        f"deal {deal.key} ({deal.name}), won on {deal.close_date} for {deal.amount} {deal.currency}"
    )


def _ownerless(ctx: RunContext, deal: Deal, known: Collection[str]) -> str | None:
    if deal.owner is not None and deal.owner in known:
        return None
    house: dict[str, Decimal] = {}
    for credit in ctx.inputs.credits:
        if credit.deal == deal.key and credit.employee is None:
            house[credit.pool] = house.get(credit.pool, _ZERO) + credit.amount
    if house:
        fate = "; ".join(
            f"{amount} {deal.currency} of its {pool} credit is house credit, paid to nobody"
            for pool, amount in sorted(house.items())
        )
    else:
        fate = "its credit went to the other people credited on it"
    if deal.owner is None and "owner" in deal.missing_fields:
        return (
            f"{_won(deal)}, has no owner in the CRM: {fate}; set the deal's owner in the CRM "
            "and run again"
        )
    if deal.owner is None:
        return (
            f"{_won(deal)}, is owned by a CRM user who is not a known employee: {fate}; "
            "sync and reconcile the CRM's users and run again"
        )
    return (
        f"{_won(deal)}, is owned by {deal.owner}, who is not a known employee: {fate}; sync "
        f"and reconcile the CRM's users (or add {deal.owner} to the directory) and run again"
    )


def unclaimed_warnings(
    ctx: RunContext, names: Mapping[str, str], unplaced: Collection[str]
) -> list[str]:
    """Warnings for deals won in the period: without a known owner, and credit lines for
    someone on no plan on the period's last day (``unplaced``) or not among the employees
    (``names`` maps every known employee to their name)."""
    out: list[str] = []
    for deal in sorted(ctx.inputs.deals, key=lambda d: d.key):
        if deal.state != "won" or not deal.amount or not ctx.in_period(deal):
            continue
        found = _ownerless(ctx, deal, names)
        if found is not None:
            out.append(found)
    stray: dict[tuple[str, str, str], Decimal] = {}
    for credit in ctx.inputs.credits:
        who = credit.employee
        if who is None or (who in names and who not in unplaced):
            continue
        credited = ctx.deals.get(credit.deal)
        if credited is None or not ctx.in_period(credited):
            continue
        cell = (credited.key, who, credit.pool)
        stray[cell] = stray.get(cell, _ZERO) + credit.amount
    for (key, who, pool), amount in sorted(stray.items()):
        deal = ctx.deals[key]
        head = f"{_won(deal)}, credits {amount} {deal.currency} of {pool} to"
        if who in names:
            out.append(
                f"{head} {who} ({names[who]}), who is on no plan on {ctx.period.end}: nobody "
                f"is paid on it; assign {who} a plan in assignments.yaml or correct the "
                "deal's split"
            )
        else:
            out.append(
                f"{head} {who}, who is not in the employee list: nobody is paid on it; sync "
                "and reconcile the CRM's users or correct the deal's split"
            )
    return out
