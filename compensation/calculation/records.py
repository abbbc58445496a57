"""What a period run receives besides plans and rates: inputs, adjustments, prior state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from compensation.calculation.results import PeriodResult
from compensation.inputs import Credit, Deal, Employee, Kpi, UsageScore

__all__ = ["Adjustment", "ClosedPeriod", "PeriodInputs", "PriorState"]


@dataclass(frozen=True, slots=True)
class PeriodInputs:
    """A snapshot of everything a run reads. Credits and deals may span many periods: the
    run picks deals closed in its period (and re-runs closed periods from the same data).

    ``activities`` counts logged activities (touches) per deal key for the
    ``min_activities`` gate; a deal missing from it counts the distinct acts of its
    credit lines. ``as_of`` is the snapshot's date (recorded, never read from a clock).
    """

    employees: Sequence[Employee]
    credits: Sequence[Credit]
    deals: Sequence[Deal]
    usage: Sequence[UsageScore] = ()
    kpis: Sequence[Kpi] = ()
    as_of: date | None = None
    activities: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A manual adjustment: an audited record (who, when, why) the caller stores and passes
    to every run, so it survives recalculation. ``period`` is where it belongs; one for a
    closed period that was not in its closed result posts in the open period."""

    id: str
    employee: str
    period: str
    amount: Decimal
    currency: str
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """A period's result as it was when the period was closed (paid on ``closed_on``)."""

    result: PeriodResult
    closed_on: date


@dataclass(frozen=True, slots=True)
class PriorState:
    """Closed periods the run must respect: their results are never rewritten; changes
    post as adjustment lines, clawbacks and draw balances are read from them."""

    closed: Sequence[ClosedPeriod] = ()

    def ordered(self) -> list[ClosedPeriod]:
        """Closed periods by period start (then key)."""
        return sorted(self.closed, key=lambda c: (c.result.start, c.result.period))
