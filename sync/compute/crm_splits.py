"""A CRM's own split of a deal (``deal_splits`` rows) as crediting evidence.

With ``compensation.crm_splits: use``, a won deal (or a paid deal since reversed) whose
CRM stores revenue split rows is credited by them instead of by the plan's slots: its
revenue pool credits are replaced by :func:`compensation.crediting.splits.split_credits`
over the rows' percentages. Overlay split rows credit the ``overlay`` pool (replacing
what the plan's overlay slots gave on that deal), a separate credit that never reduces
the revenue credit. A split owner (a CRM user id) becomes an employee through the
reconciled directory, as deal owners do. A deal whose rows cannot be used (percentages
not summing to 100, a row without a percentage) keeps the plan's credit, with a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compensation.crediting import REVENUE_POOL
from compensation.crediting.splits import SplitRow, split_credits
from compensation.inputs import Credit, Deal
from sync.compute.directory import Directory
from sync.compute.links import deal_key
from sync.compute.snapshot import StoreSnapshot

__all__ = ["OVERLAY_POOL", "CrmSplits", "apply_crm_splits", "crm_splits"]

OVERLAY_POOL = "overlay"
# Split types as the connectors store them; a row without a type is a revenue split.
_POOLS = {None: REVENUE_POOL, "": REVENUE_POOL, "revenue": REVENUE_POOL, "overlay": OVERLAY_POOL}


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
            SplitRow(employee, Decimal(percent))
        )
    for key, pool in unusable:
        out.rows.get(key, {}).pop(pool, None)
    return out


def apply_crm_splits(
    credits: Sequence[Credit], deals: Sequence[Deal], splits: CrmSplits
) -> tuple[list[Credit], list[str]]:
    """``credits`` with each split deal's revenue/overlay credits replaced by its CRM
    split; warnings for split rows that could not be used."""
    replaced: dict[tuple[str, str], list[Credit]] = {}
    warnings: list[str] = []
    for deal in deals:
        if deal.state != "won" and deal.reversed_on is None:
            continue
        pools = splits.rows.get(deal.key, {})
        for pool in sorted(pools):
            try:
                replaced[(deal.key, pool)] = split_credits(deal, pools[pool], pool)
            except ValueError as exc:
                warnings.append(f"deal {deal.key}: CRM {pool} split not used: {exc}")
        for problem in splits.problems.get(deal.key, []):
            warnings.append(f"deal {deal.key}: CRM split not used: {problem}")
    out: list[Credit] = []
    done: set[tuple[str, str]] = set()
    for credit in credits:
        key = (credit.deal, credit.pool)
        if key not in replaced:
            out.append(credit)
        elif key not in done:
            done.add(key)
            out += replaced[key]
    out += [c for key, lines in sorted(replaced.items()) if key not in done for c in lines]
    return out, warnings
