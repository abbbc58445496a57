"""The statement view model: everything one employee's statement shows, and nothing else.

The plan calculation's per-employee result is mapped into a :class:`Statement` by the glue in
``sync/``; the renderer reads only this. All records are frozen, money is ``Decimal``
(in the statement's pay currency unless a field says otherwise), ratios are fractions
(``Decimal("0.05")`` is 5 %) and texts are plain strings (the templates escape them).

A statement checks itself on construction: its total must equal the sum of its parts, so
a statement that does not add up can never be rendered or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = [
    "Adjustment",
    "Attainment",
    "Clawback",
    "DrawBalance",
    "OtherLine",
    "PastPeriod",
    "PayableLine",
    "Period",
    "PipelineDeal",
    "PlanRef",
    "Recipient",
    "Statement",
    "StatementError",
    "UsageComponent",
    "UsageScore",
    "WhatIf",
    "WithheldLine",
    "language",
]

LOCALES = ("en", "fr", "es", "de")  # the languages statements are written in


def language(locale: str, default: str = "en") -> str:
    """The statement language for a locale: ``fr_CA`` and ``fr-BE`` give ``fr``; a
    language statements are not written in gives ``default``."""
    base = locale.replace("-", "_").split("_")[0].lower()
    return base if base in LOCALES else default


class StatementError(ValueError):
    """A statement is inconsistent (its parts do not add up, a field is invalid)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """The employee the statement is about, and its only recipient."""

    employee_id: str
    name: str
    email: str | None
    locale: str = "en"
    team: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A pay period: ``key`` such as ``"2026-10"`` or ``"2026-Q4"``, with its dates."""

    key: str
    start: date
    end: date
    closed: bool = False


@dataclass(frozen=True, slots=True)
class PlanRef:
    """The plan (and its version) the statement was computed with."""

    key: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class PayableLine:
    """One credited deal slot and what it pays.

    ``credited_amount`` (deal currency) is the employee's ``share`` of the deal's amount;
    ``converted_amount`` is that in the pay currency at ``fx_rate`` (``None``: same
    currency); ``amount`` is what the plan ``rule`` pays on it at ``rate``. ``pool`` is the
    credit pool (a manager's roll-up is ``manager``; empty or ``revenue``: the deal's own).
    """

    deal_key: str
    deal_name: str
    slot: str
    share: Decimal
    credited_amount: Decimal
    currency: str
    converted_amount: Decimal
    rate: Decimal
    amount: Decimal
    rule: str
    acts: tuple[str, ...] = ()
    fx_rate: Decimal | None = None
    close_date: date | None = None
    url: str | None = None
    pool: str = ""
    # Whose split credited the line, when a split did (the CRM's, or an admin's: who,
    # effective when, why, and the share).
    split: str = ""
    # The exchange rate's first day and where it came from (a rates file, a CRM's dated
    # rates), shown beside ``fx_rate`` when known.
    fx_date: date | None = None
    fx_source: str = ""


@dataclass(frozen=True, slots=True)
class OtherLine:
    """Pay not tied to one deal: a bonus, a cap, a usage multiplier, a SPIFF on a count...

    ``kind`` is the engine's line kind (``kpi_bonus``, ``cap``...); ``label`` what the
    employee reads (empty: the kind in words); ``amount`` may be negative (a cap).
    """

    kind: str
    label: str
    amount: Decimal
    rule: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class WithheldLine:
    """Pay a gate held back: why, and what to do next time.

    ``gate`` is the gate's id (used to translate ``reason``/``advice`` when the catalog
    knows it; otherwise the given texts are shown as they are). ``amount`` is what the
    line would have paid had the gate passed; ``slot`` the employee's role on the deal.
    """

    deal_key: str
    deal_name: str
    gate: str
    reason: str
    advice: str
    amount: Decimal | None = None
    slot: str = ""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A manual or prior-period adjustment posted in this period (positive or negative).

    ``kind`` (``manual``, ``prior_period``) names it in words when ``label`` is empty."""

    label: str
    amount: Decimal
    reason: str = ""
    origin_period: str | None = None
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Clawback:
    """Pay taken back for a deal reversed after it was paid (``amount`` is negative)."""

    deal_key: str
    deal_name: str
    amount: Decimal
    reason: str
    original_period: str | None = None


@dataclass(frozen=True, slots=True)
class DrawBalance:
    """A draw: balance at the start, advanced and recovered this period, balance at the end."""

    label: str
    opening: Decimal
    advanced: Decimal
    recovered: Decimal
    closing: Decimal
    recoverable: bool = True


@dataclass(frozen=True, slots=True)
class Attainment:
    """Credited amount against quota; ``thresholds`` are the plan's tier starts (ratios)."""

    credited: Decimal
    quota: Decimal
    thresholds: tuple[Decimal, ...] = ()

    @property
    def ratio(self) -> Decimal:
        return self.credited / self.quota if self.quota else Decimal(0)


@dataclass(frozen=True, slots=True)
class UsageComponent:
    """One part of the CRM usage score (0-100) with its weight and how to raise it."""

    key: str
    label: str
    score: Decimal
    weight: Decimal
    advice: str = ""


@dataclass(frozen=True, slots=True)
class UsageScore:
    """The usage score (0-100); below ``minimum`` (if any) it gates pay. What the plan
    pays on it: a usage bonus from ``bonus_from``, commission multiplied by each band's
    multiplier from its minimum score (``bands``: (minimum, multiplier), highest first)."""

    score: Decimal
    components: tuple[UsageComponent, ...] = ()
    minimum: Decimal | None = None
    bonus_from: Decimal | None = None
    bands: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class PipelineDeal:
    """An open deal and what it would pay if it closed as it stands (``note``: why it
    would pay nothing, such as the reason of the ``gate`` it would fail)."""

    deal_key: str
    deal_name: str
    potential: Decimal
    stage: str = ""
    close_date: date | None = None
    note: str = ""
    gate: str = ""


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The open-pipeline teaser: what closing these deals would add (never in totals)."""

    deals: tuple[PipelineDeal, ...]
    potential_total: Decimal
    potential_attainment: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PastPeriod:
    """An earlier period of the same year and what it paid (its final figure once closed)."""

    period: Period
    total: Decimal


@dataclass(frozen=True, slots=True)
class Statement:
    """One employee's statement for one period, in one pay currency.

    ``statement_id`` is stable across re-runs of the period (e.g. ``"2026-10:E000042"``);
    ``version`` goes up whenever its content changes. The outbox sends each
    (id, version) once, to ``recipient.email`` only. ``history`` holds the year's earlier
    periods (``None``: not known, so no year-to-date is shown); ``payout_date`` is when
    this period's pay reaches the employee.
    """

    statement_id: str
    version: int
    period: Period
    recipient: Recipient
    plan: PlanRef
    currency: str
    as_of: datetime
    total_payable: Decimal
    payable: tuple[PayableLine, ...] = ()
    other: tuple[OtherLine, ...] = ()
    withheld: tuple[WithheldLine, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    clawbacks: tuple[Clawback, ...] = ()
    draws: tuple[DrawBalance, ...] = ()
    attainment: Attainment | None = None
    usage: UsageScore | None = None
    what_if: WhatIf | None = None
    history: tuple[PastPeriod, ...] | None = None
    payout_date: date | None = None

    def __post_init__(self) -> None:
        if self.version < 1:
            raise StatementError(f"{self.statement_id}: version must be 1 or more")
        if self.total_payable != self.parts_total:
            raise StatementError(
                f"{self.statement_id}: total {self.total_payable} is not the sum of its "
                f"parts ({self.parts_total}); refusing an inconsistent statement"
            )

    @property
    def commissions(self) -> Decimal:
        return sum((line.amount for line in self.payable), Decimal(0))

    @property
    def other_total(self) -> Decimal:
        return sum((o.amount for o in self.other), Decimal(0))

    @property
    def adjustments_total(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal(0))

    @property
    def clawbacks_total(self) -> Decimal:
        return sum((c.amount for c in self.clawbacks), Decimal(0))

    @property
    def draws_advanced(self) -> Decimal:
        return sum((d.advanced for d in self.draws), Decimal(0))

    @property
    def draws_recovered(self) -> Decimal:
        return sum((d.recovered for d in self.draws), Decimal(0))

    @property
    def withheld_total(self) -> Decimal:
        return sum((w.amount or Decimal(0) for w in self.withheld), Decimal(0))

    @property
    def year_to_date(self) -> Decimal:
        """This period and the year's earlier ones in ``history``."""
        return self.total_payable + sum((p.total for p in self.history or ()), Decimal(0))

    @property
    def parts_total(self) -> Decimal:
        """Commissions + other lines + adjustments + clawbacks (negative) + draws advanced
        - draws recovered."""
        return (
            self.commissions
            + self.other_total
            + self.adjustments_total
            + self.clawbacks_total
            + self.draws_advanced
            - self.draws_recovered
        )
