"""Pairwise precision and recall against a ground truth (the sandbox's identities.jsonl)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import orjson

from sync.store.record_key import RecordKey

__all__ = ["PairwiseScore", "load_truth", "pairwise", "true_pairs", "truth_from_rows"]

_TABLE = {
    "lead": "leads",
    "leads": "leads",
    "contact": "contacts",
    "contacts": "contacts",
    "account": "accounts",
    "accounts": "accounts",
    "companies": "accounts",
    "user": "users",
    "users": "users",
    "owners": "users",
    "systemuser": "users",
    "resourceusers": "users",
}


@dataclass(frozen=True)
class PairwiseScore:
    """Pairwise counts and ratios of one kind."""

    kind: str
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0


def load_truth(path: Path) -> dict[str, tuple[str, str]]:
    """record key -> (kind, true identity) from an identities.jsonl file."""
    rows = (orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip())
    return truth_from_rows(rows)


def truth_from_rows(rows: Iterable[Mapping[str, str]]) -> dict[str, tuple[str, str]]:
    """record key -> (kind, true identity) from identities.jsonl rows."""
    truth: dict[str, tuple[str, str]] = {}
    for row in rows:
        table = _TABLE[row["object"].lower()]
        truth[RecordKey.text(row["crm"], table, row["id"])] = (row["kind"], row["identity"])
    return truth


def _pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for group in groups:
        found.update(combinations(sorted(group), 2))
    return found


def true_pairs(
    truth: Mapping[str, tuple[str, str]], kind: str, keys: set[str]
) -> set[tuple[str, str]]:
    """Pairs of ``keys`` that are the same true identity of ``kind``."""
    groups: dict[str, list[str]] = {}
    for key, (truth_kind, identity) in truth.items():
        if truth_kind == kind and key in keys:
            groups.setdefault(identity, []).append(key)
    return _pairs(groups.values())


def pairwise(
    truth: Mapping[str, tuple[str, str]], predicted: Mapping[str, str], kind: str
) -> PairwiseScore:
    """Compare predicted identities (record key -> identity) with the truth of ``kind``."""
    keys = {k for k, (truth_kind, _) in truth.items() if truth_kind == kind} & set(predicted)
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(predicted[key], []).append(key)
    found = _pairs(groups.values())
    actual = true_pairs(truth, kind, keys)
    return PairwiseScore(kind, len(found & actual), len(found), len(actual))
