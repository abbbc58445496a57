"""Credits from a CRM's own split of a deal (revenue or overlay split rows).

A CRM stores each row's percentage and its own rounded amount; the rounded amounts need not
sum to the deal (three thirds of 100.00 are stored as 33.33 each). Only the percentages
are used: the deal amount is allocated over them to the cent by largest remainder, the
cent left over by a tie going to the smaller employee id, so the credits sum exactly to
the deal amount whatever order the rows come in. Credits stay in the deal's currency: the
engine converts each line afterwards (split first, convert after).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compensation.crediting.engine import SHARE_PLACES
from compensation.crediting.scheme import REVENUE_POOL
from compensation.inputs import Credit, Deal
from compensation.money import allocate

__all__ = ["SPLIT_TOLERANCE", "SplitRow", "split_credits"]

# Percentages may be stored rounded (33.33 + 33.33 + 33.34); a set further than this from
# 100 is refused rather than silently scaled.
SPLIT_TOLERANCE = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SplitRow:
    """One split row: who, and the percentage of the deal (``50`` for 50%)."""

    employee: str
    percent: Decimal


def split_credits(
    deal: Deal, rows: Sequence[SplitRow], pool: str = REVENUE_POOL, places: int = 2
) -> list[Credit]:
    """The deal's credits in ``pool`` from its split rows (rows of one employee are
    summed), sorted by employee: shares sum to exactly 1 and amounts to the deal amount."""
    percents: dict[str, Decimal] = {}
    for row in rows:
        if row.percent < 0:
            raise ValueError(f"split of deal {deal.key}: {row.employee} has {row.percent}%")
        percents[row.employee] = percents.get(row.employee, Decimal(0)) + row.percent
    total = sum(percents.values(), Decimal(0))
    if abs(total - _HUNDRED) > SPLIT_TOLERANCE:
        raise ValueError(
            f"split percentages of deal {deal.key} sum to {total.normalize():f}, not 100; "
            "correct the split in the CRM"
        )
    keys = sorted(percents)
    weights = [percents[k] for k in keys]
    shares = allocate(Decimal(1), weights, keys, SHARE_PLACES)
    amounts = allocate(deal.amount, weights, keys, places)
    return [
        Credit(
            deal.key,
            employee,
            "split",
            share.normalize(),
            amount,
            deal.currency,
            pool,
            (),  # no act: a split row is not an activity (activity gates count acts)
            note=f"CRM split: {percents[employee].normalize():f}%",
        )
        for employee, share, amount in zip(keys, shares, amounts, strict=True)
    ]
