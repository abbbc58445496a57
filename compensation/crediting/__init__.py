"""Fair multi-touch crediting: who earns which share of each deal, once.

A plan's ``crediting:`` section (:class:`CreditScheme`) declares role slots with weights
and how each is filled from the deal's acts; :func:`credit_deals` turns
:class:`~compensation.inputs.DealEvidence` into :class:`~compensation.inputs.Credit`
lines plus per-deal explanations. Invariants:

- I1 an act fills at most one slot of a deal; an act used by several deals is
  apportioned by deal amount (``Credit.act_fractions``), never counted in full twice;
- I2 per (deal, pool) shares sum to exactly 1 and amounts exactly to the pool total;
- I3 overlay and manager pools are separate and never enter the revenue pool;
- I4 a vacant slot is spread pro rata over the filled slots or kept as house credit;
- I5 one person in several slots gets one line per slot (the sum is theirs);
- a clawback (negative amount) mirrors the original split; input order never matters.
"""

from __future__ import annotations

from compensation.crediting.errors import (
    CreditingError,
    DuplicateDealError,
    MissingEmployeesError,
)
from compensation.crediting.passes import FRACTION_PLACES, SHARE_PLACES, credit_deals
from compensation.crediting.result import CreditingResult, DealExplanation, SlotExplanation
from compensation.crediting.scheme import (
    REVENUE_POOL,
    ActFilter,
    CreditScheme,
    PoolSpec,
    SlotSpec,
    Strategy,
    TimeDecay,
)

__all__ = [
    "FRACTION_PLACES",
    "REVENUE_POOL",
    "SHARE_PLACES",
    "ActFilter",
    "CreditScheme",
    "CreditingError",
    "CreditingResult",
    "DealExplanation",
    "DuplicateDealError",
    "MissingEmployeesError",
    "PoolSpec",
    "SlotExplanation",
    "SlotSpec",
    "Strategy",
    "TimeDecay",
    "credit_deals",
]
