"""Learning the matcher's weights from the installation's own records (Fellegi–Sunter, EM).

The comparisons of ``scoring.py`` put each field of a pair on a level. A trained model
replaces the hand-set weight of each level by log2(m/u), estimated the way Splink does:

- **u** (how often two different people land on a level) from random pairs of records,
  drawn with a fixed seed: almost every random pair is two different people;
- **m** (how often the same person lands on it) and the share of matches among the
  candidate pairs by expectation maximisation over the blocked candidate pairs, with u held
  fixed;
- the **prior**: the expected matches over all pairs of records, as log2 odds.

A pair's probability of being one person is then ``2**w / (1 + 2**w)`` with
``w = prior + sum(weights)``, so the match threshold follows from a precision target
(``p >= 0.99``) instead of being set by hand. No label is read.

EM runs over the distinct comparison patterns with their counts (a few thousand, however
many pairs), so training costs about as much as scoring the sampled pairs once. A level
seen too rarely among the likely matches or the random pairs to estimate keeps its
hand-set weight, and so does a field the records never fill (FEBRL has no e-mail).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sync.reconcile.bulk import PersonCodes, observations
from sync.reconcile.em import (
    SESSIONS,
    LearnSettings,
    Pattern,
    counts_of,
    estimate,
    estimate_in_sessions,
    posterior,
)
from sync.reconcile.entities import Entity
from sync.reconcile.frequencies import (
    TF_FIELDS,
    TermWeights,
    implied_agreement,
    implied_weights,
    term_counts,
    term_weights,
)
from sync.reconcile.places import IMPLIED
from sync.reconcile.scoring import TYPO_LEVELS, WEIGHTS, ScoreContext, weight_of
from sync.reconcile.thresholds import expected_precision_threshold

__all__ = [
    "SESSIONS",
    "LearnSettings",
    "Model",
    "Pattern",
    "estimate",
    "estimate_in_sessions",
    "patterns_of",
    "train",
]

_WEIGHT_LIMIT = 20.0


@dataclass(frozen=True)
class Model:
    """Trained weights of one kind, with what they were estimated from."""

    kind: str
    trained_at: datetime
    records: int
    candidate_pairs: int
    sampled_pairs: int
    random_pairs: int
    match_share: float  # expected share of matches among the candidate pairs
    prior: float  # log2 odds that two records drawn at random are one person
    iterations: int
    m: dict[str, dict[str, float]] = field(default_factory=dict)
    u: dict[str, dict[str, float]] = field(default_factory=dict)
    learned: dict[str, float] = field(default_factory=dict)  # "field/level" -> weight
    # The sampled candidate pairs' scores under this model: [score, pairs], highest first.
    scores: list[list[float]] = field(default_factory=list)
    # Term frequencies at training (``frequencies.py``): field -> value -> records holding
    # it (two or more), and field -> records holding any value.
    tf_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    tf_totals: dict[str, int] = field(default_factory=dict)
    # Per field, the share of records sharing the place implying it that share it too
    # (``frequencies.implied_agreement``).
    implied: dict[str, float] = field(default_factory=dict)
    saved_version: str = ""  # the version a stored model was saved under

    @cached_property
    def terms(self) -> TermWeights:
        """The term-frequency weights of the exact levels of first and last names."""
        return term_weights(self.m, self.learned, self.tf_counts, self.tf_totals)

    @property
    def weights(self) -> dict[tuple[str, str], float]:
        """Every level's weight: the learned ones over the hand-set defaults."""
        found = dict(WEIGHTS)
        for name, weight in self.learned.items():
            fld, level = name.split("/", 1)
            found[(fld, level)] = weight
        found.update(implied_weights(self.m, self.implied, self.u))
        if IMPLIED not in self.u.get("postal_code", {}):
            # A model trained before the street implied its postal code: the code beside
            # the street counts as it did then, until the model is trained again.
            found[("postal_code", IMPLIED)] = found[("postal_code", "exact")]
        return found

    def threshold(self, probability: float) -> float:
        """The total weight (without the prior) at which a pair's probability of being one
        person reaches ``probability``."""
        return round(math.log2(probability / (1 - probability)) - self.prior, 2)

    def probability(self, score: float) -> float:
        """A pair's probability of being one, from its total weight and the prior."""
        return 1.0 / (1.0 + 2.0 ** -(score + self.prior))

    def link_threshold(self, precision: float, floor: float = 0.9) -> float:
        """The lowest score linked for ``precision`` (see ``expected_precision_threshold``)."""
        return expected_precision_threshold(
            self.scores, self.probability, self.threshold, precision, floor
        )

    def body(self) -> dict[str, Any]:
        """JSON-ready; the same model gives the same document, byte for byte."""
        return {
            "kind": self.kind,
            "trained_at": self.trained_at.isoformat(),
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
            "sampled_pairs": self.sampled_pairs,
            "random_pairs": self.random_pairs,
            "match_share": self.match_share,
            "prior": self.prior,
            "iterations": self.iterations,
            "m": self.m,
            "u": self.u,
            "learned": self.learned,
            "scores": self.scores,
            "tf_counts": self.tf_counts,
            "tf_totals": self.tf_totals,
            **({"implied": self.implied} if self.implied else {}),
        }

    @cached_property
    def version(self) -> str:
        """A digest of the parameters (not of when they were trained), taken when the model
        is made and kept with it: a model read back keeps the version it was saved under."""
        if self.saved_version:
            return self.saved_version
        body = self.body()
        body.pop("trained_at")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @classmethod
    def from_body(cls, body: Mapping[str, Any], version: str = "") -> Model:
        return cls(
            saved_version=version,
            kind=body["kind"],
            trained_at=datetime.fromisoformat(body["trained_at"]),
            records=body["records"],
            candidate_pairs=body["candidate_pairs"],
            sampled_pairs=body["sampled_pairs"],
            random_pairs=body["random_pairs"],
            match_share=body["match_share"],
            prior=body["prior"],
            iterations=body["iterations"],
            m=body["m"],
            u=body["u"],
            learned=body["learned"],
            scores=[list(pair) for pair in body.get("scores", [])],
            tf_counts=body.get("tf_counts", {}),
            tf_totals=body.get("tf_totals", {}),
            implied=body.get("implied", {}),
        )


def patterns_of(
    entities: Sequence[Entity],
    pairs: Sequence[tuple[int, int]],
    context: ScoreContext,
    codes: PersonCodes | None = None,
) -> Counter[Pattern]:
    """How many pairs land on each comparison pattern."""
    found: Counter[Pattern] = Counter()
    for pattern, _ in observations(entities, pairs, context, _adjusted, codes):
        found[pattern] += 1
    return found


def train(
    kind: str,
    entities: Sequence[Entity],
    candidates: Sequence[tuple[int, int]],
    context: ScoreContext,
    now: datetime,
    settings: LearnSettings | None = None,
    codes: PersonCodes | None = None,
) -> Model:
    """Estimate a model from the candidate pairs blocking produced and random pairs
    (``codes``: the records' comparison codes, when made already)."""
    settings = settings or LearnSettings()
    rng = random.Random(settings.seed)
    sample: Sequence[tuple[int, int]] = candidates
    if len(candidates) > settings.max_pairs:
        picked = sorted(rng.sample(range(len(candidates)), settings.max_pairs))
        sample = [candidates[n] for n in picked]
    count = len(entities)
    randoms: list[tuple[int, int]] = []
    while count > 1 and len(randoms) < settings.random_pairs:
        i, j = rng.randrange(count), rng.randrange(count)
        if i != j:
            randoms.append((min(i, j), max(i, j)))
    observed = _observe(entities, sample, context, codes)
    blocked: Counter[Pattern] = Counter()
    for (pattern, _), n in observed.items():
        blocked[_stated(pattern)] += n
    unrelated: Counter[Pattern] = Counter()
    for pattern, n in patterns_of(entities, randoms, context, codes).items():
        unrelated[_stated(pattern)] += n
    m, u, share, iterations, estimated = estimate_in_sessions(blocked, unrelated, settings)
    implied_m, implied_u = _implied_levels(observed, m, u, share)
    m.update(implied_m)
    u.update(implied_u)
    all_pairs = count * (count - 1) / 2
    matches = share * len(candidates)
    prior = math.log2(max(matches, 1.0) / max(all_pairs - matches, 1.0))
    learned = _learned(m, u, blocked, unrelated, settings, estimated)
    tf_counts, tf_totals = term_counts(entities)
    model = Model(
        kind=kind,
        trained_at=now,
        records=count,
        candidate_pairs=len(candidates),
        sampled_pairs=len(sample),
        random_pairs=len(randoms),
        match_share=round(share, 6),
        prior=round(prior, 4),
        iterations=iterations,
        m=_rounded(m),
        u=_rounded(u),
        learned=learned,
        tf_counts=tf_counts,
        tf_totals=tf_totals,
        implied=implied_agreement(entities),
    )
    return replace(model, scores=_score_counts(observed, model))


# The places whose agreement implies each field's (``places.most_specific_place``).
_IMPLIED_BY = {
    "postal_code": ("street",),
    "city": ("street", "postal_code"),
    "state": ("street", "postal_code"),
}
# Pseudo-pairs of a postal code's unconditional chance agreement that its agreement beside
# an agreeing street is shrunk toward (few non-matches share a street in a small sample).
_IMPLIED_PRIOR_PAIRS = 20.0


def _implied_levels(
    observed: Counter[Observed],
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    share: float,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """m of the implied level of postal code, city and state: among the likely matches
    (EM's posterior) whose place implying it agrees (the street; the street or postal
    code), the share that agree on it too. And u of the postal code's: among the likely
    non-matches whose street agrees, the share whose postal code agrees as well. Where two
    people at one street share its postal code (colleagues at their office, a family at
    home) that is near 1 and the postal code adds nothing to the street; where a street's
    name recurs across districts it is small and the postal code is evidence of its own.
    City and state take their chance agreement from the records (``implied_agreement``)."""
    agree = dict.fromkeys(_IMPLIED_BY, 0.0)
    seen = dict.fromkeys(_IMPLIED_BY, 0.0)
    others_agree = others_seen = 0.0
    for (pattern, _), n in observed.items():
        levels = dict(pattern)
        stated = _stated(pattern)
        if not all(f in m and lv in m[f] for f, lv in stated):
            continue
        p: float | None = None
        for fld, places in _IMPLIED_BY.items():
            if fld not in levels or not any(levels.get(f) in ("exact", "fuzzy") for f in places):
                continue
            p = posterior(stated, m, u, share) if p is None else p
            implied = levels[fld] == IMPLIED
            seen[fld] += p * n
            agree[fld] += p * n if implied else 0.0
            if fld == "postal_code":
                others_seen += (1 - p) * n
                others_agree += (1 - p) * n if implied else 0.0
    found_m: dict[str, dict[str, float]] = {}
    for fld in _IMPLIED_BY:
        if seen[fld] > 0 and fld in m:
            found_m[fld] = {**m[fld], IMPLIED: round(agree[fld] / seen[fld], 6)}
    found_u: dict[str, dict[str, float]] = {}
    chance = u.get("postal_code", {})
    if "postal_code" in found_m and chance:
        prior = chance.get("exact", 0.0)
        shrunk = (others_agree + _IMPLIED_PRIOR_PAIRS * prior) / (
            others_seen + _IMPLIED_PRIOR_PAIRS
        )
        found_u["postal_code"] = {**chance, IMPLIED: round(shrunk, 6)}
    return found_m, found_u


def _stated(pattern: Pattern) -> Pattern:
    """A pattern without the city or state a more specific place implies, and with a
    postal code its street implies as the exact agreement it is: EM estimates what is
    stated (a postal code's chance agreement over all pairs, as before its street was
    compared); what an implied place adds beside the place implying it is estimated
    apart (``_implied_levels``, ``frequencies.implied_weights``)."""
    return tuple(
        (f, "exact" if lv == IMPLIED else lv)
        for f, lv in pattern
        if lv != IMPLIED or f == "postal_code"
    )


# A sampled pair as training keeps it: its pattern, and the values of its comparisons that
# term frequencies may adjust (the scores under the trained model need them).
Observed = tuple[Pattern, tuple[tuple[str, str, str], ...]]


def _observe(
    entities: Sequence[Entity],
    pairs: Sequence[tuple[int, int]],
    context: ScoreContext,
    codes: PersonCodes | None = None,
) -> Counter[Observed]:
    """How many pairs land on each pattern with each term-frequency value (scored once)."""
    return Counter(observations(entities, pairs, context, _adjusted, codes))


_ADJUSTED = {fld: level for fld, (level, _) in TF_FIELDS.items()}


def _adjusted(fld: str, level: str) -> bool:
    return fld in _ADJUSTED and (_ADJUSTED[fld] == level or level in TYPO_LEVELS)


def _score_counts(observed: Counter[Observed], model: Model) -> list[list[float]]:
    """The sampled pairs' scores under ``model`` (term frequencies included)."""
    weights, terms = model.weights, model.terms
    found: Counter[float] = Counter()
    for (pattern, values), n in observed.items():
        value_of = {f: (left, right) for f, left, right in values}
        total = 0.0
        for f, lv in pattern:
            left, right = value_of.get(f, ("", ""))
            total += weight_of(f, lv, left, weights, terms, right)
        found[round(total, 2)] += n
    return [[score, found[score]] for score in sorted(found, reverse=True)]


def _rounded(table: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return {f: {lv: round(p, 6) for lv, p in sorted(table[f].items())} for f in sorted(table)}


def _learned(
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    blocked: Counter[Pattern],
    unrelated: Counter[Pattern],
    settings: LearnSettings,
    estimated: set[str],
) -> dict[str, float]:
    """Weights of the levels the data says enough about; the others keep their defaults.
    A field with one level (a conversion instant is only ever "exact") has no m/u to
    estimate: the level is there or not."""
    learned: dict[str, float] = {}
    for fld in sorted(estimated):
        if len(m[fld]) < 2:
            continue
        seen = counts_of(blocked, fld)
        random_seen = counts_of(unrelated, fld)
        for level in sorted(m[fld]):
            # A level random pairs rarely reach needs many blocked pairs to say how rare
            # it is; one the blocked pairs rarely reach says nothing of m.
            enough = seen.get(level, 0) >= settings.min_level_pairs and (
                random_seen.get(level, 0) >= settings.min_level_pairs
                or seen.get(level, 0) >= 10 * settings.min_level_pairs
            )
            if not enough:
                continue
            weight = math.log2(m[fld][level] / u[fld][level])
            learned[f"{fld}/{level}"] = round(max(-_WEIGHT_LIMIT, min(_WEIGHT_LIMIT, weight)), 2)
    return _ordered(learned)


# A level that agrees less never weighs more than the one above it (field -> levels, the
# most agreeing first). EM can find otherwise where a level is rare: a suburb typed with a
# typo was rarer among random pairs than the same suburb, and weighed +7.3 against +3.2.
LEVEL_ORDER: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "nickname", "fuzzy", "similar", "initial"),
    "last_name": ("exact", "fuzzy", "similar"),
    "email": ("exact", "shared"),
    "phone": ("exact", "shared"),
    "organisation": ("exact", "fuzzy"),
    "street": ("exact", "fuzzy", "other_number"),
    "postal_code": ("exact", "fuzzy"),
    "city": ("same", "similar"),
    "state": ("exact", "abbreviation"),
}
# Further chains of a field whose levels are not one line: an address typed with a typo
# never weighs more than the same address.
_MORE_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (("email", ("exact", "fuzzy")),)


def _ordered(learned: dict[str, float]) -> dict[str, float]:
    """``learned`` with each level capped at the weight of the level above it."""
    found = dict(learned)
    for fld, levels in (*LEVEL_ORDER.items(), *_MORE_ORDER):
        ceiling: float | None = None
        for level in levels:
            name = f"{fld}/{level}"
            weight = found.get(name, WEIGHTS.get((fld, level)))
            if weight is None:
                continue
            if ceiling is not None and weight > ceiling and name in found:
                weight = found[name] = ceiling
            ceiling = weight
    return dict(sorted(found.items()))
