"""Resolve one kind of entity in memory: block, score, filter best links, cluster.

Pure given its inputs (entities, decisions, configuration): the same inputs give the same
clusters, pairs and identity ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sync.config.reconcile import ReconcileConfig, Thresholds
from sync.reconcile.agreement import cluster_agreement
from sync.reconcile.blocking import BlockingStats, candidate_pairs
from sync.reconcile.bulk import PersonCodes, scored_pairs
from sync.reconcile.cluster import ClusterResult, Link, cluster
from sync.reconcile.entities import Entity
from sync.reconcile.frequencies import TermWeights
from sync.reconcile.learn import Model
from sync.reconcile.pairs import IntArray, PairCodes, pair_arrays
from sync.reconcile.scoring import (
    Raw,
    ScoreContext,
    build_context,
    explain,
    score_pair,
)
from sync.reconcile.splink_engine import SplinkModel, SplinkScores

__all__ = [
    "Decision",
    "KindResult",
    "ScoredPair",
    "block",
    "resolve_kind",
    "thresholds_for",
]


@dataclass(frozen=True, slots=True)
class Decision:
    """An admin decision on two record keys."""

    action: str  # link | unlink
    a_key: str
    b_key: str


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A pair worth keeping: matched, in the review band, or linked by hard evidence."""

    i: int
    j: int
    score: float
    status: str  # match | review | must_link | admin
    # The raw comparisons flattened (field, level, left, right, field, ...): one tuple per
    # pair instead of one per comparison, for millions of pairs in the review band.
    comparisons: tuple[str, ...] = ()
    # Each comparison's weight as the engine gave it (Splink); empty: weighed by ``detail``.
    weights: tuple[float, ...] = ()

    def raw(self) -> list[Raw]:
        """The comparisons as (field, level, left, right) tuples."""
        flat = self.comparisons
        return [(flat[k], flat[k + 1], flat[k + 2], flat[k + 3]) for k in range(0, len(flat), 4)]

    def detail(
        self,
        weights: dict[tuple[str, str], float] | None = None,
        terms: TermWeights | None = None,
    ) -> dict[str, Any]:
        """JSON-ready comparisons for ``explain``, weighed as the pair was scored."""
        if self.weights:
            return {
                "comparisons": [
                    {"field": f, "level": lv, "weight": w, "a": a, "b": b}
                    for (f, lv, a, b), w in zip(self.raw(), self.weights, strict=True)
                ]
            }
        return {
            "comparisons": [
                {"field": c.field, "level": c.level, "weight": c.weight, "a": c.left, "b": c.right}
                for c in explain(self.raw(), weights, terms)
            ]
        }


def _flat(comparisons: list[Raw]) -> tuple[str, ...]:
    return tuple(part for comparison in comparisons for part in comparison)


@dataclass
class KindResult:
    """Everything one kind's resolution produced."""

    kind: str
    entities: Sequence[Entity]
    pairs: list[ScoredPair]
    clustering: ClusterResult
    blocking: BlockingStats
    stats: dict[str, int] = field(default_factory=dict)
    weights: dict[tuple[str, str], float] | None = None  # a trained model's, if one scored
    terms: TermWeights | None = None  # and its term-frequency weights


def thresholds_for(
    kind: str, config: ReconcileConfig, model: Model | SplinkModel | None = None
) -> Thresholds:
    """The match threshold and review band of a kind: from the configured precision target
    when a trained model scores it, else as configured."""
    if model is not None:
        learning = config.learning
        match = model.link_threshold(learning.precision, learning.link_floor)
        return Thresholds(
            match=match, review=min(match, model.threshold(learning.review_probability))
        )
    return {"person": config.people, "organisation": config.organisations}.get(
        kind, config.employees
    )


def resolve_kind(
    kind: str,
    entities: Sequence[Entity],
    config: ReconcileConfig,
    decisions: Sequence[Decision] = (),
    org_of: dict[str, str] | None = None,
    only: set[int] | None = None,
    fixed_links: Sequence[tuple[int, int, float]] = (),
    earlier_best: Sequence[tuple[int, str, float]] = (),
    context: ScoreContext | None = None,
    model: Model | SplinkModel | None = None,
    blocked: tuple[Sequence[tuple[int, int]], BlockingStats] | None = None,
    prescored: SplinkScores | None = None,
    codes: PersonCodes | None = None,
    keys: Iterable[Iterable[str]] | None = None,
) -> KindResult:
    """Cluster ``entities``; with ``only``, score just the pairs touching those indexes and
    take ``fixed_links`` (earlier pairs among the others reaching the match threshold)
    as already scored, links where they are a side's best, with ``earlier_best`` (index,
    CRM, score: such pairs kept from earlier runs, with records outside too) as candidates
    for a record's best link into that CRM. A trained
    ``model`` gives the weights and, with the configured precision, the thresholds.
    ``prescored``: the pairs an engine of its own (Splink) blocked and scored, by index;
    ``codes``: the records' comparison codes, when made already, released once the pairs
    are scored; ``blocked``: the candidate pairs, when blocked already (a person's pair
    codes are released before clustering: read them no more); ``keys``: each entity's
    block keys, when not made here (an increment's, without those pairing no one in a
    full run: a subset's block of one looks small)."""
    weights = model.weights if model is not None else None
    terms = model.terms if model is not None else None
    ctx = context or build_context(entities, org_of, config.shared_phone_limit, weights, terms)
    limits = thresholds_for(kind, config, model)
    if prescored is not None:
        pairs: Any = prescored.pairs.keys()
        stats = BlockingStats(pairs=prescored.compared)
        scored, reached = _prescored(prescored, limits), None
    else:
        if blocked is not None and only is None:
            pairs, stats = blocked  # a first run's training found them already
        else:
            pairs, stats = block(entities, config, only, keys)
        scored, reached = _scored(entities, pairs, ctx, limits, codes)

    def evidence(i: int, j: int, status: str) -> ScoredPair:
        if prescored is not None:
            total, flat, found_weights = prescored.pairs.get((i, j), (0.0, (), ()))
            return ScoredPair(i, j, total, status, flat, found_weights)
        total, comparisons = score_pair(entities[i], entities[j], ctx)
        return ScoredPair(i, j, total, status, _flat(comparisons))

    found = [p for p in scored if p.status == "match"]
    matches, fixed_links = _best_links(entities, found, fixed_links, earlier_best)
    links = [Link(p.i, p.j, "match", p.score) for p in matches]
    links += [Link(i, j, "match", score) for i, j, score in fixed_links]
    unlinks = _known_links(entities, decisions, links, scored, evidence)
    dropped = {(p.i, p.j) for p in scored if p.status == "match"} - {(p.i, p.j) for p in matches}
    # A match that is no side's best link into the other CRM is kept for review.
    scored = [
        ScoredPair(p.i, p.j, p.score, "review", p.comparisons, p.weights)
        if (p.i, p.j) in dropped
        else p
        for p in scored
    ]
    known_links = {(link.i, link.j) for link in links if link.method in ("must_link", "admin")}
    known_blocked = sum(1 for pair in known_links if pair in pairs)
    agrees = None
    if kind == "person":
        if reached is not None:
            # The cluster check asks only of pairs between linked records (a third of the
            # candidates at 100,000 people): those kept, the rest let go before clustering
            # (the caller's ``blocked`` too: 232 MiB less at 1 M people's clustering).
            linked = np.zeros(len(entities), dtype=np.bool_)
            for link in links:
                linked[link.i] = linked[link.j] = True
            reached = (reached[0].among(linked), reached[1])
            pairs.release()
        agrees = cluster_agreement(entities, ctx, limits.review, prescored, reached)
    clustering = cluster(entities, links, unlinks, config.max_cluster_size, agrees)
    result = KindResult(kind, entities, scored, clustering, stats, weights=weights, terms=terms)
    result.stats = {
        "records": len(entities),
        "candidate_pairs": stats.pairs,
        "estimated_pairs": stats.estimated_pairs,
        "oversized_blocks": stats.oversized_blocks,
        "capped_keys": stats.capped_keys,
        "crowded_keys": stats.crowded_keys,
        "matches": len(matches),
        "review": sum(1 for p in scored if p.status == "review"),
        "refused_links": len(clustering.refused),
        "identities": len(clustering.clusters),
        # The installation's own labels: pairs known to be one (conversions, merges, admin
        # links), how many of them blocking compared and how many scored as a match.
        "known_pairs": len(known_links),
        "known_pairs_blocked": known_blocked,
        "known_pairs_matched": len(
            {(p.i, p.j) for p in scored if p.score >= limits.match} & known_links
        ),
    }
    return result


def _prescored(prescored: SplinkScores, limits: Thresholds) -> list[ScoredPair]:
    """The pairs an engine of its own scored that reach the review band, in pair order."""
    scored: list[ScoredPair] = []
    for i, j in sorted(prescored.pairs):
        total, flat, found_weights = prescored.pairs[(i, j)]
        if total >= limits.review:
            status = "match" if total >= limits.match else "review"
            scored.append(ScoredPair(i, j, total, status, flat, found_weights))
    return scored


def _scored(
    entities: Sequence[Entity],
    pairs: Sequence[tuple[int, int]],
    ctx: ScoreContext,
    limits: Thresholds,
    codes: PersonCodes | None,
) -> tuple[list[ScoredPair], tuple[PairCodes, PairCodes] | None]:
    """The candidate pairs reaching the review band; for pairs held as ``PairCodes``, the
    candidates and those that reached the band, as the cluster check asks them."""
    scored: list[ScoredPair] = []
    for left, right in _decoded(pairs, codes):
        for i, j, total, comparisons in scored_pairs(
            entities, left, right, ctx, limits.review, codes
        ):
            status = "match" if total >= limits.match else "review"
            scored.append(ScoredPair(i, j, total, status, _flat(comparisons)))
    if codes is not None:
        codes.release()  # the clustering reads none: not held through it
    if not isinstance(pairs, PairCodes):
        return scored, None
    count = max(len(entities), 1)  # as PairCodes: one int64 a pair, not a tuple
    kept = np.sort(np.fromiter((p.i * count + p.j for p in scored), np.int64, len(scored)))
    return scored, (pairs, PairCodes(kept, count))


def _known_links(
    entities: Sequence[Entity],
    decisions: Sequence[Decision],
    links: list[Link],
    scored: list[ScoredPair],
    evidence: Callable[[int, int, str], ScoredPair],
) -> list[tuple[int, int]]:
    """Add the must-links (conversions, merges) and an admin's links among ``entities`` to
    ``links``, each with its pair's ``evidence`` to ``scored``; the admin's unlinks."""
    # Only the records a must-link or a decision names (not a dict of a million keys).
    named = {key for e in entities for key in e.must}
    named.update(key for d in decisions for key in (d.a_key, d.b_key))
    index = {e.key: n for n, e in enumerate(entities) if e.key in named}
    for n, entity in enumerate(entities):
        for other in entity.must:
            if other in index and index[other] != n:
                i, j = sorted((n, index[other]))
                links.append(Link(i, j, "must_link"))
                scored.append(evidence(i, j, "must_link"))
    unlinks: list[tuple[int, int]] = []
    for decision in decisions:
        if decision.a_key in index and decision.b_key in index:
            i, j = sorted((index[decision.a_key], index[decision.b_key]))
            if decision.action == "link":
                links.append(Link(i, j, "admin"))
                scored.append(evidence(i, j, "admin"))
            else:
                unlinks.append((i, j))
    return unlinks


def _decoded(
    pairs: Sequence[tuple[int, int]], codes: PersonCodes | None
) -> Iterable[tuple[IntArray, IntArray]]:
    """The pairs as (i, j) arrays to score: a slice at a time where the codes of every
    record are made (25 M pairs decoded at once were 200 MB more at a run's peak), all at
    once where a scorer is made for the records the pairs name (an increment's few)."""
    if codes is not None and isinstance(pairs, PairCodes):
        return pairs.slices()
    return [pair_arrays(pairs)]


def block(
    entities: Sequence[Entity],
    config: ReconcileConfig,
    only: set[int] | None = None,
    keys: Iterable[Iterable[str]] | None = None,
) -> tuple[Sequence[tuple[int, int]], BlockingStats]:
    """The candidate pairs of ``entities`` (touching ``only``, when given) and what blocking
    did to find them; ``keys``: each entity's block keys, when not made here."""
    stats = BlockingStats()
    # Keys are made record by record and counted, never all held at once.
    pairs = candidate_pairs(
        entities, config.max_block_size, keys, only, stats, config.max_key_records
    )
    return pairs, stats


def _best_links(
    entities: Sequence[Entity],
    matches: list[ScoredPair],
    fixed: Sequence[tuple[int, int, float]] = (),
    earlier: Sequence[tuple[int, str, float]] = (),
) -> tuple[list[ScoredPair], list[tuple[int, int, float]]]:
    """Across systems keep a match only if it is a side's best link into the other system.
    ``fixed``: an increment's earlier matches among the records it did not change, which
    it does not score again, kept by the same rule; ``earlier``: (record, CRM, score) of
    such pairs with any record, read or not: a side's best may be one of them, as in a
    full run."""
    best: dict[tuple[int, str], float] = {}
    for me, other, score in earlier:
        best[(me, other)] = max(best.get((me, other), float("-inf")), score)
    for i, j, score in [(p.i, p.j, p.score) for p in matches] + list(fixed):
        a, b = entities[i], entities[j]
        if a.source == b.source:
            continue
        for me, other in ((i, b.source), (j, a.source)):
            best[(me, other)] = max(best.get((me, other), float("-inf")), score)

    def stands(i: int, j: int, score: float) -> bool:
        a, b = entities[i], entities[j]
        return a.source == b.source or score >= best[(i, b.source)] or score >= best[(j, a.source)]

    kept = [pair for pair in matches if stands(pair.i, pair.j, pair.score)]
    return kept, [link for link in fixed if stands(*link)]
