"""What compensation receives and what crediting hands to the plan calculation.

Plain, immutable records: ``sync/`` builds them from the store (through reconciled
identities), crediting turns deals and their acts into :class:`Credit` lines, and the plan
engine turns credits, usage scores and KPIs into pay. Nothing here knows where the data
came from; keys are opaque strings chosen by the caller (for example
``"salesforce:deals:006000000000001"`` for a deal, ``"E000042"`` for an employee).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

__all__ = [
    "Act",
    "Credit",
    "Deal",
    "DealEvidence",
    "Employee",
    "Kpi",
    "ManagerSpan",
    "UsageScore",
]

DealState = Literal["open", "won", "lost"]
ActKind = Literal[
    "touch",  # a logged activity: call, e-mail, meeting, task, note
    "lead_owner",  # owning the lead the deal came from
    "deal_owner",  # owning the deal (the closer, unless the plan says otherwise)
    "conversion",  # converting a lead into contact / account / deal
    "contact_role",  # a contact role on the deal
    "campaign",  # the customer's campaign membership (marketing's act)
    "case",  # handling a customer case
    "lead_source",  # capturing the lead (form, list, event): marketing's act
]


@dataclass(frozen=True, slots=True)
class Employee:
    """An employee as reconciled across CRMs."""

    id: str
    name: str
    email: str | None = None
    team: str | None = None
    role: str | None = None
    manager: str | None = None
    locale: str = "en"
    active: bool = True
    # The last day worked, when known. Someone who left is paid what they earned (credit
    # on deals closed by that day, clawbacks, changes to closed periods) but no draw for
    # a period starting after it; an inactive employee without it counts as having left
    # before the period being run.
    left_on: date | None = None

    def left_before(self, day: date) -> bool:
        """True when the employee had left before ``day``."""
        if self.left_on is not None:
            return self.left_on < day
        return not self.active


@dataclass(frozen=True, slots=True)
class ManagerSpan:
    """``employee`` reported to ``manager`` (None: nobody) from ``start`` to ``end`` (both
    included; None: still). Roll-ups use the span covering the deal's close date, and
    ``Employee.manager`` outside every span."""

    employee: str
    manager: str | None
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        """True when ``day`` is inside the span."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Deal:
    """A deal (opportunity) with the facts plans and gates look at."""

    key: str
    name: str
    amount: Decimal
    currency: str
    state: DealState
    created_at: datetime
    close_date: date | None
    owner: str | None = None
    customer: str | None = None
    source: str = ""
    stage: str = ""
    products: tuple[str, ...] = ()
    missing_fields: tuple[str, ...] = ()
    # A won deal later lost or cancelled (clawbacks): when it was reversed.
    reversed_on: date | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Act:
    """One act that can earn credit; ``key`` is stable across runs (I1: an act fills at
    most one slot of a deal, and an act behind several deals is apportioned)."""

    key: str
    kind: ActKind
    employee: str | None  # None: the customer's own act, or nobody identified
    at: datetime
    channel: str | None = None
    source: str = ""
    detail: str = ""
    url: str | None = None


@dataclass(frozen=True, slots=True)
class DealEvidence:
    """A deal and every act that may have contributed to it, in any order."""

    deal: Deal
    acts: tuple[Act, ...] = ()


@dataclass(frozen=True, slots=True)
class Credit:
    """One payee's credited share of one deal, for one slot of one pool.

    ``share`` is exact; for each (deal, pool) the shares sum to exactly 1 and the
    ``amount`` values (deal currency) sum exactly to the deal amount. ``employee`` None is
    house credit (a vacant slot kept by the house).
    """

    deal: str
    employee: str | None
    slot: str
    share: Decimal
    amount: Decimal
    currency: str
    pool: str = "revenue"
    acts: tuple[str, ...] = ()
    # The share of each act used by this deal when acts are apportioned across deals.
    act_fractions: tuple[Decimal, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class UsageScore:
    """An employee's CRM usage score (0-100) and its components, from the audit."""

    employee: str
    score: Decimal
    components: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Kpi:
    """A measured KPI for an employee over a period (for example case resolution rate)."""

    employee: str
    name: str
    value: Decimal
    period: str = ""
