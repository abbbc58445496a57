"""A CRM's own split of a deal (``deal_splits`` rows) as crediting evidence.

With ``compensation.crm_splits: use``, a won deal (or a paid deal since reversed) whose
CRM stores split rows is credited by them: the usable rows go to ``credit_deals(...,
splits=...)``, which fills the deal's revenue pool (``revenue`` rows) and its overlay pool
(``overlay`` rows) from the percentages instead of from acts, so roll-up pools follow the
split owners. An overlay split under a plan without an overlay pool is added as a separate
credit of the whole deal (:func:`unfilled_splits`); it never reduces the revenue credit.
A split owner (a CRM user id) becomes an employee through the reconciled directory, as
deal owners do. A revenue split of the deal's owner alone at 100% (what a CRM stores on
every deal by default) decides nothing: the deal keeps the plan's crediting by the acts.

Whether a set must total 100% goes by its pool (:data:`VALIDATED`): revenue rows share the
deal, so they must; overlay rows are credit on top of it, so each credits its percentage
of the deal whatever the set's total (a specialist at 50%, two at 100% each: 200% of the
deal in ``overlay``, the revenue credit untouched). The store keeps a row's type by name
only, so a CRM's own per-type setting is not consulted.
A deal whose rows cannot be used (revenue percentages not summing to 100, a negative row,
an overlay row above 100% or an overlay set of 0%, a row without an owner or a
percentage) keeps the plan's credit in that pool, with a warning.
A ``team`` row names a deal team member (who works on the deal, in which function) and
carries no share: it is no split, and no warning either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compensation.crediting import REVENUE_POOL
from compensation.crediting.fill import SPLIT_SLOTS, SplitRow, split_percents
from compensation.crediting.splits import split_credits
from compensation.inputs import Credit, Deal
from sync.compute.directory import Directory
from sync.compute.links import deal_key
from sync.compute.snapshot import StoreSnapshot

__all__ = [
    "OVERLAY_POOL",
    "VALIDATED",
    "CrmSplits",
    "crm_splits",
    "unfilled_splits",
    "usable_splits",
]

OVERLAY_POOL = "overlay"
# Split types as the connectors store them; a row without a type is a revenue split.
_POOLS = {None: REVENUE_POOL, "": REVENUE_POOL, "revenue": REVENUE_POOL, "overlay": OVERLAY_POOL}
_MEMBERSHIP = "team"  # a deal team member's row: no share of the deal
# Whether a pool's split rows must total 100% (a share of the deal) or each row is its own
# percentage of the deal (overlay credit, on top of the revenue credit).
VALIDATED = {REVENUE_POOL: True, OVERLAY_POOL: False}


@dataclass
class CrmSplits:
    """Split rows per deal key and pool, owners mapped to employees; problems in words."""

    rows: dict[str, dict[str, list[SplitRow]]] = dataclasses.field(default_factory=dict)
    problems: dict[str, list[str]] = dataclasses.field(default_factory=dict)


def crm_splits(snapshot: StoreSnapshot, directory: Directory) -> CrmSplits:
    """Every deal's live split rows, by deal key then pool (``revenue``/``overlay``); a
    pool with a row that has no owner or no percentage is left out whole."""
    out = CrmSplits()
    unusable: set[tuple[str, str]] = set()
    for row in snapshot.rows("deal_splits"):
        key = deal_key(row["source"], row["deal_id"])
        kind = (row.get("split_type") or "").lower()
        if kind == _MEMBERSHIP:
            continue
        pool = _POOLS.get(kind)
        if pool is None:
            out.problems.setdefault(key, []).append(f"split type {kind!r} is not used")
            continue
        employee = directory.key_of(row["source"], row.get("user_id"))
        percent = row.get("percent")
        if employee is None or percent is None:
            out.problems.setdefault(key, []).append(
                f"{pool} split {row['remote_id']} has no owner or no percentage"
            )
            unusable.add((key, pool))
            continue
        out.rows.setdefault(key, {}).setdefault(pool, []).append(
            SplitRow(employee, Decimal(percent), validated=VALIDATED[pool])
        )
    for key, pool in unusable:
        out.rows.get(key, {}).pop(pool, None)
    return out


def usable_splits(
    deals: Sequence[Deal], splits: CrmSplits
) -> tuple[dict[str, dict[str, list[SplitRow]]], list[str]]:
    """The split rows crediting uses: of won deals (and paid deals since reversed, so a
    clawback mirrors what was paid), per pool, only usable sets (revenue summing to 100,
    overlay rows each within 0–100%); warnings for the rest (those deals keep the plan's
    crediting in that pool)."""
    usable: dict[str, dict[str, list[SplitRow]]] = {}
    warnings: list[str] = []
    for deal in deals:
        if deal.state != "won" and deal.reversed_on is None:
            continue
        for pool, rows in sorted(splits.rows.get(deal.key, {}).items()):
            if pool == REVENUE_POOL and _owner_alone(deal, rows):
                continue  # the CRM's default split: no decision, the plan's crediting stays
            try:
                split_percents(deal.key, rows)
            except ValueError as exc:
                warnings.append(f"deal {deal.key}: CRM {pool} split not used: {exc}")
                continue
            usable.setdefault(deal.key, {})[pool] = rows
        for problem in splits.problems.get(deal.key, []):
            warnings.append(f"deal {deal.key}: CRM split not used: {problem}")
    return usable, warnings


def _owner_alone(deal: Deal, rows: Sequence[SplitRow]) -> bool:
    """A revenue split that is the deal's owner alone at 100%: what a CRM stores on every
    deal by default, so it says nothing the deal's owner does not already say."""
    return (
        bool(rows)
        and all(r.employee == deal.owner for r in rows)
        and (sum((r.percent for r in rows), Decimal(0)) == 100)
    )


def unfilled_splits(
    credits: Sequence[Credit],
    deals: Sequence[Deal],
    usable: Mapping[str, Mapping[str, Sequence[SplitRow]]],
) -> list[Credit]:
    """``credits`` plus the split credits of pools a deal's plan does not declare (an
    overlay split under a plan without an overlay pool), where crediting could not fill
    them: a separate credit in that pool, each row its percentage of the deal."""
    filled = {(c.deal, c.pool) for c in credits if c.slot in SPLIT_SLOTS}
    out = list(credits)
    for deal in deals:
        for pool, rows in sorted(usable.get(deal.key, {}).items()):
            if (deal.key, pool) not in filled:
                out += split_credits(deal, rows, pool)
    return out
