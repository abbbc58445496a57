"""Bulk scoring against ``score_pair`` on every candidate pair of synced stores.

    python bench/bench_bulk_scoring.py STORE.sqlite [STORE.sqlite ...] [--json]

For each store (a synced sandbox, or a FEBRL store ``bench_febrl.py --workspace`` keeps),
the people's candidate pairs are scored both ways under the hand-set weights, with nested
places, and under the store's trained model (term frequencies included) when it has one.
Reported: pairs, pairs ``score_pair`` scores itself (``python``), pairs whose rounded totals
differ (must be 0) and the largest difference, and the CPU seconds of each.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.bulk import bulk_totals
from sync.reconcile.entities import load_entities
from sync.reconcile.learn import Model
from sync.reconcile.model_store import latest_model
from sync.reconcile.persist import identities_of
from sync.reconcile.scoring import ScoreContext, build_context, score_pair
from sync.store import open_store

CONFIG = ReconcileConfig()


def compare(store: Path) -> dict[str, Any]:
    engine = open_store(f"sqlite:///{store}")
    people = load_entities(engine, "person")
    left, right = candidate_pairs(
        people, CONFIG.max_block_size, max_key_records=CONFIG.max_key_records
    ).arrays()
    with engine.connect() as connection:
        model = latest_model(connection, "person")
        org_of = identities_of(connection, {e.org_ref for e in people if e.org_ref})
    limit = CONFIG.shared_phone_limit
    contexts: dict[str, ScoreContext] = {
        "hand-set": build_context(people, org_of, limit),
        "nested": build_context(people, org_of, limit, nested_places=True),
    }
    if isinstance(model, Model):
        contexts["trained"] = build_context(people, org_of, limit, model.weights, model.terms)
    found: dict[str, Any] = {"store": str(store), "people": len(people), "pairs": len(left)}
    for name, ctx in contexts.items():
        started = time.process_time()
        totals, python = bulk_totals(people, left, right, ctx)
        bulk_s = time.process_time() - started
        started = time.process_time()
        expected = np.asarray(
            [score_pair(people[i], people[j], ctx)[0] for i, j in zip(left, right, strict=True)]
        )
        python_s = time.process_time() - started
        bulk = ~python
        rounded = np.asarray([round(float(t), 2) for t in totals])
        found[name] = {
            "python": int(python.sum()),
            "differ": int((rounded[bulk] != expected[bulk]).sum()),
            "max_diff": float(np.abs(rounded[bulk] - expected[bulk]).max()) if bulk.any() else 0,
            "bulk_cpu_s": round(bulk_s, 2),
            "score_pair_cpu_s": round(python_s, 2),
        }
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [compare(store) for store in args.stores]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(f"{r['store']}: {r['people']:,} people, {r['pairs']:,} pairs")
        for name in ("hand-set", "nested", "trained"):
            if name in r:
                c = r[name]
                print(
                    f"  {name:9} python {c['python']:>7,}  differ {c['differ']}  "
                    f"max diff {c['max_diff']:.1e}  bulk {c['bulk_cpu_s']} s CPU, "
                    f"score_pair {c['score_pair_cpu_s']} s CPU"
                )


if __name__ == "__main__":
    main()
