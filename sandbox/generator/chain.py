"""The true chain of touches behind a deal, and its ``deals`` ground-truth row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sandbox.generator.activities import Ref
from sandbox.generator.context import Employee, Gen, iso
from sandbox.generator.population import Person
from sandbox.zoho.currencies import org_rate

__all__ = ["Chain", "Outcome", "amount", "currency_for", "decide_outcome", "zoho_rate"]


@dataclass
class Outcome:
    """How a deal ends (or does not, yet)."""

    closed: bool
    won: bool
    close_at: datetime

    @property
    def close_date(self) -> date:
        return self.close_at.date()


def decide_outcome(gen: Gen, close_at: datetime, win_rate: float = 0.6) -> Outcome:
    if close_at >= gen.anchor:
        return Outcome(False, False, close_at)
    return Outcome(True, gen.rng.random() < win_rate, close_at)


@dataclass
class Chain:
    """Ordered touches; an unlogged act (a visit nobody recorded) has no record ref."""

    person: Person
    touches: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        slot: str,
        channel: str,
        employee: Employee | None,
        ref: Ref | None,
        at: datetime,
    ) -> None:
        crm, obj, rid = ref if ref else (None, None, None)
        self.touches.append(
            {
                "step": len(self.touches) + 1,
                "slot": slot,
                "channel": channel,
                "employee": employee.employee_id if employee else None,
                "crm": crm,
                "object": obj,
                "id": rid,
                "at": iso(at),
            }
        )

    def finish(
        self,
        gen: Gen,
        deal: Ref,
        amount: float,
        currency: str,
        stage: str,
        outcome: Outcome,
        created_at: datetime,
        owner: Employee,
    ) -> None:
        crm, obj, rid = deal
        gen.world.truth.add(
            "deals",
            {
                "crm": crm,
                "object": obj,
                "id": rid,
                "customer_person": self.person.identity,
                "customer_org": self.person.org.identity,
                "amount": f"{amount:.2f}",
                "currency": currency,
                "stage": stage,
                "won": outcome.won,
                "closed": outcome.closed,
                "created_at": iso(created_at),
                "close_date": iso(outcome.close_date),
                "owner": owner.employee_id,
                "touches": self.touches,
            },
        )


def amount(gen: Gen, low: float, high: float) -> float:
    # Skewed towards small deals, like real order books.
    return round(low + (high - low) * gen.rng.random() ** 2, 2)


def currency_for(gen: Gen, person: Person) -> str:
    cur = person.org.city.currency
    if cur == "EUR" and gen.rng.random() < 0.05:
        return "USD"  # some European customers buy in dollars
    return cur


def zoho_rate(gen: Gen, currency: str, saved_at: datetime) -> float:
    """The ``Exchange_Rate`` a Zoho record in ``currency`` gets when saved at ``saved_at``."""
    return org_rate(gen.world.seed, gen.world.scale, currency, saved_at.date())
