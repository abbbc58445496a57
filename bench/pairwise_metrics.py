"""Pairwise precision, recall and F1 of predicted clusters against true links.

A pair is two records, unordered. The predicted pairs are every pair inside one predicted
cluster (one identity); the true pairs are the data set's links. Records that no cluster
names are singletons: they predict no pair, and their true pairs count as missed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

__all__ = ["PairScore", "clusters_of", "pairs_of", "score_pairs"]

Pair = tuple[Any, Any]


@dataclass(frozen=True)
class PairScore:
    """Counts of pairs, and the ratios made of them (1.0 where a ratio has nothing to count)."""

    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "true_positive": self.true_positive,
            "predicted_pairs": self.predicted,
            "true_pairs": self.actual,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _ordered(a: Hashable, b: Hashable) -> Pair:
    return (a, b) if str(a) <= str(b) else (b, a)


def pairs_of(clusters: Iterable[Iterable[Hashable]]) -> set[Pair]:
    """Every unordered pair of records inside one cluster."""
    found: set[Pair] = set()
    for cluster in clusters:
        members = sorted(set(cluster), key=str)
        found.update(combinations(members, 2))
    return found


def clusters_of(records: Iterable[Hashable], links: Iterable[Pair]) -> list[list[Hashable]]:
    """The connected components of ``links`` over ``records`` (singletons included)."""
    parent: dict[Hashable, Hashable] = {r: r for r in records}

    def root(x: Hashable) -> Hashable:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=str)] = min(ra, rb, key=str)
    groups: dict[Hashable, list[Hashable]] = {}
    for record in parent:
        groups.setdefault(root(record), []).append(record)
    return sorted((sorted(g, key=str) for g in groups.values()), key=lambda g: str(g[0]))


def score_pairs(predicted: Iterable[Pair], actual: Iterable[Pair]) -> PairScore:
    """Compare predicted pairs with true pairs (order within a pair does not matter)."""
    wanted = {_ordered(a, b) for a, b in actual if a != b}
    found = {_ordered(a, b) for a, b in predicted if a != b}
    return PairScore(len(found & wanted), len(found), len(wanted))
