"""The comparisons of a pair bulk scoring (``bulk.py``) weighed, as ``score_pair`` gives
them: each compared field's level with the two values it shows. A pair kept by the bulk
pass is stored and explained from these, without being scored again."""

from __future__ import annotations

from typing import Any

from sync.reconcile.bulk_records import Levels, Records
from sync.reconcile.entities import Entity
from sync.reconcile.scoring import Raw, ScoreContext

__all__ = ["Columns", "comparisons", "shown_for_training", "tf_values"]

# ``_Scorer.compared``'s fields as lists: field, levels, value codes, other value codes.
Columns = list[tuple[str, list[int], list[int], list[int]]]


def tf_values(records: Records) -> dict[str, list[Any]]:
    """The values of the fields term frequencies weigh, by code."""
    return {
        "first_name": records.names.values,
        "last_name": records.names.values,
        "street": records.addresses.values,
        "postal_code": records.postcodes.values,
    }


def shown_for_training(
    levels: Levels, values: dict[str, list[Any]], columns: Columns, k: int
) -> list[Raw]:
    """Pair ``k``'s comparisons: the values shown only for the fields weighed by term
    frequencies, blank for the others."""
    names, none = levels.names, levels.none
    found = []
    for fld, found_levels, value, other in columns:
        level = found_levels[k]
        if level != none:
            shown = values.get(fld)
            if shown is None:
                found.append((fld, names[level], "", ""))
            else:
                found.append((fld, names[level], shown[value[k]], shown[other[k]]))
    return found


def comparisons(
    levels: Levels,
    records: Records,
    ctx: ScoreContext,
    columns: Columns,
    k: int,
    a: Entity,
    b: Entity,
) -> list[Raw]:
    """Pair ``k``'s comparisons (records ``a`` and ``b``) with the values ``score_pair``
    shows for each."""
    names, none = levels.names, levels.none
    found: list[Raw] = []
    for fld, found_levels, value, other in columns:
        level = found_levels[k]
        if level == none:
            continue
        if fld in ("first_name", "last_name"):  # the columns compared, crossed or not
            left, right = records.names.values[value[k]], records.names.values[other[k]]
        elif fld == "street":
            left, right = records.addresses.values[value[k]], records.addresses.values[other[k]]
        else:
            left, right = _shown(fld, a, b, ctx)
        found.append((fld, names[level], left, right))
    return found


def _shown(fld: str, a: Entity, b: Entity, ctx: ScoreContext) -> tuple[str, str]:
    if fld == "email":
        return ", ".join(a.emails), ", ".join(b.emails)
    if fld == "phone":
        return ", ".join(a.phones), ", ".join(b.phones)
    if fld == "conversion":
        lead, contact = (a, b) if a.table == "leads" else (b, a)
        return lead.key, contact.key
    if fld == "organisation":
        return _organisation(a, b, ctx)
    if fld == "title":
        return a.title, b.title
    if fld == "city":
        return a.city, b.city
    if fld == "postal_code":
        return a.postcode, b.postcode
    if fld == "state":
        return a.state, b.state
    raise ValueError(f"no values shown for {fld}")


def _organisation(a: Entity, b: Entity, ctx: ScoreContext) -> tuple[str, str]:
    """The values ``scoring._organisation`` compared: the organisations' identities, the
    e-mail domains or the company names, as it found them."""
    org_a, org_b = ctx.org_of.get(a.org_ref or ""), ctx.org_of.get(b.org_ref or "")
    if org_a and org_a == org_b:
        return org_a, org_b
    if a.domain and b.domain:
        return a.domain, b.domain
    if a.company and b.company:
        return a.company, b.company
    if org_a and org_b:
        return org_a, org_b
    raise ValueError("organisations compared without values")
