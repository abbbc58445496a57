"""The pairwise scores the public reconciliation benchmark (bench/bench_febrl.py) reports."""

from __future__ import annotations

import pytest
from bench_scripts import load

metrics = load("pairwise_metrics.py")


def test_scores_predicted_clusters_against_true_links() -> None:
    # Truth: {a, b, c} is one person (pairs ab, ac, bc), {d, e} another (de); f is alone.
    links = {("a", "b"), ("c", "b"), ("a", "c"), ("e", "d")}
    # Predicted: {a, b} kept together, c left alone, {d, e, f} merged.
    predicted = metrics.pairs_of([["b", "a"], ["c"], ["d", "e", "f"]])
    assert predicted == {("a", "b"), ("d", "e"), ("d", "f"), ("e", "f")}
    score = metrics.score_pairs(predicted, links)
    # Found ab and de of 4 true pairs; 2 of the 4 predicted pairs are true.
    assert (score.true_positive, score.predicted, score.actual) == (2, 4, 4)
    assert (score.precision, score.recall) == (0.5, 0.5)
    assert score.f1 == pytest.approx(0.5)
    assert score.to_json() == {
        "true_positive": 2,
        "predicted_pairs": 4,
        "true_pairs": 4,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }


def test_uneven_precision_and_recall_give_their_harmonic_mean() -> None:
    links = {("r1", "r2"), ("r3", "r4"), ("r5", "r6")}
    score = metrics.score_pairs({("r2", "r1")}, links)
    # P = 1/1, R = 1/3, F1 = 2 * 1 * (1/3) / (1 + 1/3) = 0.5
    assert (score.precision, score.recall) == (1.0, pytest.approx(1 / 3))
    assert score.f1 == pytest.approx(0.5)
    nothing = metrics.score_pairs(set(), links)
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 0.0, 0.0)


def test_true_clusters_are_the_connected_components_of_the_links() -> None:
    records = ["rec-1-org", "rec-1-dup-0", "rec-1-dup-1", "rec-2-org", "rec-3-org"]
    links = {("rec-1-dup-0", "rec-1-org"), ("rec-1-dup-1", "rec-1-dup-0")}
    assert metrics.clusters_of(records, links) == [
        ["rec-1-dup-0", "rec-1-dup-1", "rec-1-org"],
        ["rec-2-org"],
        ["rec-3-org"],
    ]
