"""What crediting returns: credit lines plus, per deal, why each slot went where it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from compensation.inputs import Credit

__all__ = ["CreditingResult", "DealExplanation", "SlotExplanation"]


@dataclass(frozen=True, slots=True)
class SlotExplanation:
    """One slot (or strategy, or roll-up) of one pool of one deal.

    ``candidates`` are the eligible acts still free when the slot was filled (acts taken
    by an earlier slot of the deal are not candidates: I1); ``filled_by`` the acts that
    earned it; ``vacant`` slots say in ``reason`` which policy applied.
    """

    pool: str
    slot: str
    weight: Decimal
    candidates: tuple[str, ...]
    filled_by: tuple[str, ...]
    employees: tuple[str | None, ...]
    reason: str
    vacant: bool = False


@dataclass(frozen=True, slots=True)
class DealExplanation:
    """Every slot of every pool of one deal, and the acts that could never earn credit."""

    deal: str
    window: tuple[str, str]  # ISO dates: first and last day acts count
    slots: tuple[SlotExplanation, ...]
    ignored: tuple[tuple[str, str], ...] = ()  # (act key, why)


@dataclass(frozen=True, slots=True)
class CreditingResult:
    """Credit lines in a deterministic order — deal key, then pool order (revenue,
    act-filled pools, roll-ups), then slot order, then payees by their first act (house
    lines of a slot last) — and explanations keyed by deal (empty when explanations were
    not requested)."""

    credits: list[Credit]
    explanations: dict[str, DealExplanation] = field(default_factory=dict)

    def for_deal(self, deal: str) -> list[Credit]:
        """The credit lines of one deal."""
        return [c for c in self.credits if c.deal == deal]

    def for_employee(self, employee: str | None) -> list[Credit]:
        """The credit lines of one payee (None: house credit)."""
        return [c for c in self.credits if c.employee == employee]
