"""What a period run returns: plain, JSON-able dataclasses with stable keys.

Every payable line of an employee is in the employee's pay currency (amounts are never
summed across currencies); lines that came from a deal keep the original amount and
currency, the exchange rate with its date and source, and the converted amount, plus the
deal, pool, slot and acts that earned it and the rule that priced it.

Lines are plain (not frozen) slotted dataclasses because a large run builds millions of
them and frozen ones cost three times as much to create; treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = ["EmployeeResult", "PayLine", "PeriodResult", "WithheldLine"]


@dataclass(slots=True)
class PayLine:
    """One payable line. ``key`` is unique within the employee's result and stable across
    runs (``commission|<component>|<deal>|<pool>|<slot>``, ``cap|<component>``, ...).

    ``kind``: commission, cap, spiff, usage_multiplier, usage_bonus, kpi_bonus, plan_cap,
    clawback, prior_period, manual, draw_top_up, draw_recovery.
    """

    key: str
    kind: str
    component: str
    amount: Decimal
    currency: str
    rule: str
    deal: str | None = None
    pool: str | None = None
    slot: str | None = None
    share: Decimal | None = None
    acts: tuple[str, ...] = ()
    original_amount: Decimal | None = None
    original_currency: str | None = None
    fx_rate: Decimal | None = None
    fx_date: date | None = None
    fx_source: str | None = None
    converted_amount: Decimal | None = None
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class WithheldLine:
    """A credit that would have paid but failed a gate: the gate, why, and what to do."""

    key: str
    component: str
    deal: str
    pool: str
    slot: str
    share: Decimal
    acts: tuple[str, ...]
    original_amount: Decimal
    original_currency: str
    gate: str
    reason: str
    advice: str


@dataclass(frozen=True, slots=True)
class EmployeeResult:
    """One employee's period: lines (sorted by key), totals, attainment, draw balance."""

    employee: str
    name: str
    plan: str
    plan_version: int
    currency: str
    lines: tuple[PayLine, ...]
    withheld: tuple[WithheldLine, ...]
    total: Decimal
    totals: Mapping[str, Decimal]
    attainment: Mapping[str, Decimal]
    credited: Mapping[str, Decimal]
    quota: Decimal | None = None
    quota_currency: str | None = None
    usage_score: Decimal | None = None
    draw_balance_start: Decimal = Decimal(0)
    draw_balance_end: Decimal = Decimal(0)
    # Once the employee has left (the period they leave in, and after): the recoverable
    # draw balance written off this period, and the plan's ``draw.on_leaving`` policy
    # (``write_off`` or ``recover_from_final``: carried, recovered from later payments).
    draw_written_off: Decimal = Decimal(0)
    draw_on_leaving: str | None = None
    notes: tuple[str, ...] = ()

    def line(self, key: str) -> PayLine:
        """The line with ``key`` (KeyError when absent)."""
        for item in self.lines:
            if item.key == key:
                return item
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """A run's result: one :class:`EmployeeResult` per employee on a plan (sorted by id),
    employees with credit but no plan, warnings, and the sha256 of everything read."""

    period: str
    start: date
    end: date
    as_of: date | None
    input_hash: str
    employees: tuple[EmployeeResult, ...]
    unplaced: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def employee(self, employee_id: str) -> EmployeeResult | None:
        """The result of one employee, if they were on a plan."""
        for item in self.employees:
            if item.employee == employee_id:
                return item
        return None
