"""Credits from a CRM's own split of a deal (revenue or overlay split rows).

A CRM stores each row's percentage and its own rounded amount; the rounded amounts need not
sum to the deal (three thirds of 100.00 are stored as 33.33 each). Only the percentages
are used: the deal amount is allocated over them to the cent by largest remainder, the
cent left over by a tie going to the smaller employee id, so the credits sum exactly to
the deal amount whatever order the rows come in. A set that is not validated to 100%
(overlay credit, :class:`SplitRow` ``validated``) credits each employee their percentage
of the deal, rounded half-even to the cent on its own, so one overlay credit never moves
with the others (two rows of 100% credit twice the deal). Credits stay in the deal's
currency: the engine converts each line afterwards (split first, convert after).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from compensation.crediting.fill import SPLIT_TOLERANCE, SplitRow, split_percents
from compensation.crediting.passes import SHARE_PLACES
from compensation.crediting.scheme import REVENUE_POOL
from compensation.inputs import Credit, Deal
from compensation.money import allocate, quantize

__all__ = ["SPLIT_TOLERANCE", "SplitRow", "split_credits"]

_HUNDRED = Decimal(100)


def split_credits(
    deal: Deal, rows: Sequence[SplitRow], pool: str = REVENUE_POOL, places: int = 2
) -> list[Credit]:
    """The deal's credits in ``pool`` from its split rows (rows of one employee are
    summed), sorted by employee: shares sum to exactly 1; amounts sum to the deal amount,
    or for a set that is not validated are each the employee's percentage of it."""
    percents = split_percents(deal.key, rows)
    keys = sorted(percents)
    weights = [percents[k] for k in keys]
    shares = allocate(Decimal(1), weights, keys, SHARE_PLACES)
    if any(row.validated for row in rows):
        amounts = allocate(deal.amount, weights, keys, places)
    else:
        amounts = [quantize(deal.amount * w / _HUNDRED, places) for w in weights]
    slot, label = (rows[0].slot, rows[0].label) if rows else ("split", "CRM split")
    return [
        Credit(
            deal.key,
            employee,
            slot,
            share.normalize(),
            amount,
            deal.currency,
            pool,
            (),  # no act: a split row is not an activity (activity gates count acts)
            note=f"{label}: {percents[employee].normalize():f}%",
        )
        for employee, share, amount in zip(keys, shares, amounts, strict=True)
    ]
