"""Expectation maximisation of a Fellegi–Sunter model over comparison patterns.

A pattern is a pair's comparison levels; EM reads each distinct pattern once, with how
many pairs showed it. u (non-matches) comes from random pairs; m (matches) from sessions
anchored on fields that mostly mean one person, as Splink estimates them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sync.reconcile.scoring import WEIGHTS

__all__ = [
    "SESSIONS",
    "LearnSettings",
    "Pattern",
    "counts_of",
    "estimate",
    "estimate_in_sessions",
    "posterior",
]

Pattern = tuple[tuple[str, str], ...]  # ((field, level), ...) of one pair, fields sorted
_SMOOTH = 0.5  # pseudo-count per level, so an unseen level is rare, not impossible
# EM sessions, as Splink runs them: each reads the blocked pairs agreeing exactly on its
# anchor fields (mostly one person: one e-mail, one phone, one name, one address) and
# estimates m of the other fields. EM over all blocked pairs at once finds the wrong two
# groups: at 22,000 people "same surname in the same city" won over "same person".
SESSIONS = (
    (("email", "exact"),),
    (("phone", "exact"),),
    (("first_name", "exact"), ("last_name", "exact")),
    (("street", "exact"),),
)
# Sessions for the names when no session above estimated them: records with names and a
# postal code only (no e-mail, phone or street: Splink's historical_50k) kept the hand-set
# name weights. Names only: the places around a postal code (its street, its town) agree
# with it for neighbours and colleagues alike, and would be learned from them.
FALLBACK_SESSIONS = ((("postal_code", "exact"),),)
FALLBACK_FIELDS = frozenset({"first_name", "last_name"})


@dataclass(frozen=True)
class LearnSettings:
    """How much to sample and how long to iterate."""

    max_pairs: int = 300_000  # candidate pairs EM reads (a seeded sample beyond this)
    random_pairs: int = 100_000  # random pairs u is estimated from
    iterations: int = 60
    tolerance: float = 1e-6  # stop when no m moves more than this
    min_level_pairs: float = 10.0  # blocked (and random) pairs a level needs to be learned
    min_session_pairs: int = 50  # blocked pairs an EM session needs
    seed: int = 1


def estimate(
    blocked: Counter[Pattern], unrelated: Counter[Pattern], settings: LearnSettings
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], float, int]:
    """(m, u, share of matches among the blocked pairs, iterations run).

    u comes from the unrelated (random) pairs. m and the share are found by EM on the
    blocked pairs, where the non-matches get a level distribution of their own, started
    from u: non-matches that blocking kept are not random pairs (colleagues share a company,
    an office's address, a city), and held to the random pairs' u they would be counted
    as matches. The returned u is the random pairs' one: a weight says how much a level
    separates one person from any two records, as the prior is over all pairs."""
    levels: dict[str, set[str]] = {}
    for pattern in (*blocked, *unrelated):
        for fld, level in pattern:
            levels.setdefault(fld, set()).add(level)
    u = {f: _proportions(counts_of(unrelated, f), levels[f]) for f in levels}
    m = {f: _initial_m(f, u[f]) for f in levels}
    near = {f: dict(u[f]) for f in levels}  # non-matches among the blocked pairs
    share, total = 0.1, sum(blocked.values())
    iterations = 0
    for iterations in range(1, settings.iterations + 1):  # noqa: B007 - reported
        # Expected counts: fractional, so plain float dicts rather than Counters of ints.
        matched: dict[str, defaultdict[str, float]] = {f: defaultdict(float) for f in levels}
        unmatched: dict[str, defaultdict[str, float]] = {f: defaultdict(float) for f in levels}
        expected = 0.0
        for pattern, n in blocked.items():
            p = _posterior(pattern, m, near, share)
            expected += p * n
            for fld, level in pattern:
                matched[fld][level] += p * n
                unmatched[fld][level] += (1 - p) * n
        share = min(1 - 1e-9, max(1e-9, expected / total)) if total else 0.0
        new_m = {f: _proportions(matched[f], levels[f]) for f in levels}
        near = {f: _proportions(unmatched[f], levels[f]) for f in levels}
        moved = max((abs(new_m[f][lv] - m[f][lv]) for f in levels for lv in levels[f]), default=0.0)
        m = new_m
        if moved < settings.tolerance:
            break
    return m, u, share, iterations


def estimate_in_sessions(
    blocked: Counter[Pattern], unrelated: Counter[Pattern], settings: LearnSettings
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], float, int, set[str]]:
    """(m, u, share of matches among the blocked pairs, iterations run, the fields some
    session estimated), m from the
    ``SESSIONS`` (each field's m is the mean of the sessions that estimated it, weighed by
    their expected matches), then ``FALLBACK_SESSIONS`` for the names if none of them
    estimated them; a field no session estimated keeps the hand-set model's m.
    The share is then found by EM with m and u fixed."""
    levels = _levels(blocked, unrelated)
    u = {f: _proportions(counts_of(unrelated, f), levels[f]) for f in levels}
    sums: dict[str, defaultdict[str, float]] = {}
    weight: defaultdict[str, float] = defaultdict(float)
    iterations = 0
    for anchor in (*SESSIONS, *FALLBACK_SESSIONS):
        fallback = anchor in FALLBACK_SESSIONS
        if fallback:
            done = {f for f in weight if weight[f] > 0}
        subset: Counter[Pattern] = Counter()
        fields = {f for f, _ in anchor}
        for pattern, n in blocked.items():
            found = dict(pattern)
            if all(found.get(f) == level for f, level in anchor):
                subset[tuple(c for c in pattern if c[0] not in fields)] += n
        total = sum(subset.values())
        if total < settings.min_session_pairs:
            continue
        m_session, _, share, ran = estimate(subset, unrelated, settings)
        iterations += ran
        present = {f for pattern in subset for f, _ in pattern}
        if fallback:
            present = (present & FALLBACK_FIELDS) - done
        for fld in present:
            for level, p in m_session[fld].items():
                sums.setdefault(fld, defaultdict(float))[level] += p * share * total
            weight[fld] += share * total
    m = {f: _mean(sums[f], levels[f]) if weight[f] > 0 else _initial_m(f, u[f]) for f in levels}
    share, ran = _share(blocked, m, u, settings)
    return m, u, share, iterations + ran, {f for f in levels if weight[f] > 0}


def _mean(sums: Mapping[str, float], levels: set[str]) -> dict[str, float]:
    # A level no session saw (only in other blocked pairs) is rare, not impossible.
    floor = 1e-6 * sum(sums.values())
    total = sum(sums.values()) + floor * len(levels)
    return {lv: (sums.get(lv, 0.0) + floor) / total for lv in sorted(levels)}


def _levels(*tables: Counter[Pattern]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in tables:
        for pattern in table:
            for fld, level in pattern:
                found.setdefault(fld, set()).add(level)
    return found


def _share(
    blocked: Counter[Pattern],
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    settings: LearnSettings,
) -> tuple[float, int]:
    """The share of matches among the blocked pairs, by EM with m and u fixed."""
    total = sum(blocked.values())
    if not total:
        return 0.0, 0
    share, iterations = 0.1, 0
    for iterations in range(1, settings.iterations + 1):  # noqa: B007 - reported
        expected = sum(_posterior(p, m, u, share) * n for p, n in blocked.items())
        new = min(1 - 1e-9, max(1e-9, expected / total))
        moved, share = abs(new - share), new
        if moved < settings.tolerance:
            break
    return share, iterations


def counts_of(patterns: Counter[Pattern], fld: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for pattern, n in patterns.items():
        for f, level in pattern:
            if f == fld:
                found[level] += n
    return found


def _proportions(counts: Mapping[str, float], levels: set[str]) -> dict[str, float]:
    total = sum(counts.values()) + _SMOOTH * len(levels)
    return {level: (counts.get(level, 0.0) + _SMOOTH) / total for level in sorted(levels)}


def _initial_m(fld: str, u: Mapping[str, float]) -> dict[str, float]:
    # EM starts from the hand-set model: m proportional to u * 2**weight.
    raw = {lv: p * 2 ** WEIGHTS.get((fld, lv), 0.0) for lv, p in u.items()}
    total = sum(raw.values())
    return {lv: v / total for lv, v in raw.items()}


def posterior(
    pattern: Pattern,
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    share: float,
) -> float:
    """The probability that a pair showing ``pattern`` is a match."""
    return _posterior(pattern, m, u, share)


def _posterior(
    pattern: Pattern,
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    share: float,
) -> float:
    log_odds = math.log(share / (1 - share))
    for fld, level in pattern:
        log_odds += math.log(m[fld][level] / u[fld][level])
    if log_odds > 700:
        return 1.0
    return 1.0 - 1.0 / (1.0 + math.exp(log_odds))
