"""Term frequencies: an exact agreement on a rare value says more than on a common one.

Two records both named "Smith" are weaker evidence than two named "Wieloch", and two at an
office's street weaker than two at a home's. Splink's adjustment, applied here to the exact
level of first and last names, street and postal code: the level's weight log2(m/u) (u the
average chance that two random records agree) becomes log2(m/f), f the share of records
holding the value, but never above log2(m/u) + RARE_BONUS: a common value weighs less, a
rare one a little more than the average. The counts are taken when a model is trained and kept in
it, so full and incremental runs weigh a value alike; a value seen once at training, or
never, counts as seen once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from sync.reconcile.entities import Entity

__all__ = [
    "RARE_BONUS",
    "TF_FIELDS",
    "TermWeights",
    "implied_agreement",
    "implied_weights",
    "term_counts",
    "term_weights",
]

# Comparison field -> (the level adjusted, the value as the comparison shows it). An
# office's street and postal code are shared by everyone who works there: the frequency
# makes them weak evidence there, and leaves a home address strong.
TF_FIELDS: dict[str, tuple[str, Callable[[Entity], str]]] = {
    "first_name": ("exact", lambda e: e.first),
    "last_name": ("exact", lambda e: e.last),
    "street": ("exact", lambda e: f"{e.house} {e.street}".strip() if e.street else ""),
    "postal_code": ("exact", lambda e: e.postcode),
}
_LIMIT = 20.0
# A rare value counts at most this much above the level's average weight. Uncapped, a
# value seen twice in 22,000 records (a surname typed as a first name) weighed 13, and two
# such agreements outweighed every disagreeing field. +2 lets a rare surname with a postal
# code reach a link ("greyington" at 80331, the first name missing) where "white" does not;
# before clusters were checked as wholes (``agreement.cluster_agreement``) it cost the
# medium sandbox 1.5 points of precision, now 0.0001. +4 lifted Splink's historical_50k
# (names and a town alone) from F1 0.832 to 0.842 but cost 1 M people with addresses half
# a point of precision (0.9820 -> 0.9766): in a million records most surnames are rare.
# Common values go down unbounded.
RARE_BONUS = 2.0

# field -> (level, weight per value, weight of a value seen once or never)
TermWeights = dict[str, tuple[str, dict[str, float], float]]


def term_counts(entities: Sequence[Entity]) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Per field: how many records hold each value (values held by two or more only), and
    how many records hold a value at all."""
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for fld, (_, value_of) in TF_FIELDS.items():
        found = Counter(v for e in entities if (v := value_of(e)))
        totals[fld] = sum(found.values())
        counts[fld] = {value: n for value, n in sorted(found.items()) if n > 1}
    return counts, totals


def term_weights(
    m: Mapping[str, Mapping[str, float]],
    learned: Mapping[str, float],
    counts: Mapping[str, Mapping[str, int]],
    totals: Mapping[str, int],
) -> TermWeights:
    """The adjusted weights of the fields whose level's weight was learned."""
    found: TermWeights = {}
    for fld, (level, _) in TF_FIELDS.items():
        total = totals.get(fld, 0)
        if f"{fld}/{level}" not in learned or total < 2:
            continue
        m_level, average = m[fld][level], learned[f"{fld}/{level}"]
        ceiling = average + RARE_BONUS
        by_value = {
            v: min(ceiling, _weight(m_level, n / total)) for v, n in counts.get(fld, {}).items()
        }
        found[fld] = (level, by_value, min(ceiling, _weight(m_level, 1 / total)))
    return found


def _weight(m_level: float, share: float) -> float:
    return round(max(-_LIMIT, min(_LIMIT, math.log2(m_level / share))), 2)


# The fields a postal code may imply.
IMPLIED_FIELDS: dict[str, Callable[[Entity], str]] = {
    "city": lambda e: e.city,
    "state": lambda e: e.state,
}


def implied_agreement(entities: Sequence[Entity]) -> dict[str, float]:
    """Per field, how often two records sharing a postal code share the field too.

    Where a postal code is a district of one city (most countries' codes) that is close
    to 1: the same city then says nothing the postal code did not. Where codes and
    places are drawn apart it is small, and the same city is evidence of its own."""
    found: dict[str, float] = {}
    for fld, value_of in IMPLIED_FIELDS.items():
        by_code: dict[str, Counter[str]] = {}
        for entity in entities:
            value = value_of(entity)
            if entity.postcode and value:
                by_code.setdefault(entity.postcode, Counter())[value] += 1
        pairs = same = 0
        for values in by_code.values():
            total = sum(values.values())
            pairs += total * (total - 1) // 2
            same += sum(n * (n - 1) // 2 for n in values.values())
        if pairs:
            found[fld] = round(same / pairs, 6)
    return found


def implied_weights(
    m: Mapping[str, Mapping[str, float]],
    agreement: Mapping[str, float],
    u: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[tuple[str, str], float]:
    """The weight of a postal code, city or state a more specific place implies:
    log2(m / a), ``m`` the share of matches agreeing on it where the place implying it
    agrees (``learn._implied_levels``), ``a`` its chance agreement there: the postal code's
    among non-matches at one street (its u of the level), the city's and state's the
    share of records sharing a postal code that share it too. Never below 0: an implied
    place never counts against."""
    shares = dict(agreement)
    for fld, levels in (u or {}).items():
        if "implied" in levels:
            shares[fld] = levels["implied"]
    found: dict[tuple[str, str], float] = {}
    for fld, share in shares.items():
        m_level = m.get(fld, {}).get("implied")
        if not m_level or share <= 0:
            continue
        weight = math.log2(m_level / share)
        found[(fld, "implied")] = round(max(0.0, min(_LIMIT, weight)), 2)
    return found
