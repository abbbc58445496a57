"""The Splink engine's backends: one trained model scored on DuckDB, PostgreSQL and Spark.

    python bench/bench_splink_backends.py --scale small --backends duckdb,postgres
        [--postgres-url postgresql://...]         # default: $CRMSYNC_TEST_POSTGRES_URL
    python bench/bench_splink_backends.py --synthetic 100000 --backends duckdb,spark
        [--spark-master 'local[*]'] [--workspace DIR [--reuse]] [--json]

Spark needs ``pip install 'crmsync[spark]'`` (pyspark) and Java 17; its driver memory is
Spark's own setting (``PYSPARK_SUBMIT_ARGS='--driver-memory 4g pyspark-shell'``).

1. People: a synced sandbox store (``--scale small|medium``, built with ``run_demo``
   unless the workspace has it), or ``--synthetic N`` person records replicated from the
   medium store (``bench_reconcile.build_synthetic``).
2. A Splink model is trained once (DuckDB in process, seeded) and kept in the workspace.
3. Each backend runs in a child process, as a first full run does: score every blocked
   pair with the model on that backend (``score_entities``), keep the first run's score
   counts with the model, and resolve (``resolve_kind``: must-links, guards, clustering).
   Wall and CPU time, and peak memory summed over the child, every process it started (the
   Spark JVM) and the PostgreSQL server processes serving it, sampled every 0.2 s.
4. Each backend against DuckDB's: the scored pairs (same pairs, same scores), the model
   (same score counts, so the same thresholds) and the identities (clusters equal,
   records whose identity differs, record pairs linked by one and not the other).

``--workspace DIR`` keeps the stores (and everything else) there for the next run;
``--reuse`` also keeps its trained model and its DuckDB run, from an earlier run on the same
people, and runs only the other backends (at 100,000 people training and DuckDB's run take
about 7 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.entities import load_entities
from sync.reconcile.resolve import resolve_kind, thresholds_for
from sync.reconcile.splink_backend import Backend
from sync.reconcile.splink_engine import SplinkModel, score_entities, train_splink
from sync.store import open_store

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KIND = "person"
CONFIG = ReconcileConfig(engine="splink")


def _store(args: argparse.Namespace, workspace: Path) -> Path:
    from sandbox import DEFAULT_ANCHOR
    from sync.demo import run_demo

    def synced(scale: str) -> Path:
        target = workspace / f"{scale}-{args.seed}"
        if not (target / "crmsync.sqlite").exists():
            assert run_demo(target, seed=args.seed, scale=scale, anchor=DEFAULT_ANCHOR).ok
        return target / "crmsync.sqlite"

    if not args.synthetic:
        return synced(args.scale)
    from bench_reconcile import build_synthetic

    path = workspace / f"synthetic-{args.synthetic}.sqlite"
    if not path.exists():
        build_synthetic(synced("medium").parent, args.synthetic, path)
    return path


class _Sampler:
    """Peak memory (RSS) and CPU of this process, its children and the watched server
    processes, sampled in a thread."""

    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.me = psutil.Process()
        self.watched: set[int] = set()
        self.cpu: dict[int, float] = {}
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        processes = [self.me, *self.me.children(recursive=True)]
        for pid in list(self.watched):
            try:
                processes.append(self.psutil.Process(pid))
            except self.psutil.NoSuchProcess:
                self.watched.discard(pid)
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
                times = process.cpu_times()
                self.cpu[process.pid] = times.user + times.system
            except self.psutil.Error:
                continue
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while self.running:
            self._sample()
            time.sleep(0.2)

    def stop(self) -> dict[str, float]:
        self._sample()
        self.running = False
        self.thread.join()
        return {"cpu_s": round(sum(self.cpu.values()), 1), "peak_mb": round(self.peak / 2**20)}


def _watch_postgres(sampler: _Sampler) -> None:
    """Watch the server process of every PostgreSQL connection this process opens."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _connected(dbapi_connection: Any, _record: Any) -> None:
        if "psycopg" in type(dbapi_connection).__module__:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT pg_backend_pid()")
            sampler.watched.add(cursor.fetchone()[0])
            cursor.close()


def child(backend: Backend, store: Path, workspace: Path) -> dict[str, Any]:
    """Score and resolve on ``backend``; the DuckDB child also keeps the run's score
    counts with the model for the others (a first run's thresholds)."""
    sampler = _Sampler()
    _watch_postgres(sampler)
    started = time.perf_counter()
    engine = open_store(f"sqlite:///{store}")
    entities = load_entities(engine, KIND)
    engine.dispose()
    untrained = SplinkModel.from_body(json.loads((workspace / "model.json").read_text()))
    review = thresholds_for(KIND, CONFIG, untrained).review
    loaded = time.perf_counter()
    scores = score_entities(
        untrained, entities, review, (), CONFIG.max_key_records, backend=backend
    )
    scored = time.perf_counter()
    own = untrained.with_scores(s for s, _, _ in scores.pairs.values())
    scored_model = workspace / "model-scored.json"
    if backend.name == "duckdb":
        scored_model.write_text(json.dumps(own.body()))
    model = SplinkModel.from_body(json.loads(scored_model.read_text()))
    result = resolve_kind(KIND, entities, CONFIG, (), model=model, prescored=scores)
    done = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    measured = sampler.stop()
    clusters = sorted(sorted(entities[i].key for i in c) for c in result.clustering.clusters)
    pairs = {f"{entities[i].key}|{entities[j].key}": p[0] for (i, j), p in scores.pairs.items()}
    (workspace / f"out-{backend.name}.json").write_text(
        json.dumps({"clusters": clusters, "pairs": pairs, "scores": own.scores})
    )
    return {
        "backend": backend.name,
        "records": len(entities),
        "compared_pairs": scores.compared,
        "scored_pairs": len(scores.pairs),
        "identities": len(result.clustering.clusters),
        "load_s": round(loaded - started, 1),
        "score_s": round(scored - loaded, 1),
        "resolve_s": round(done - scored, 1),
        "wall_s": round(done - started, 1),
        "cpu_s": measured["cpu_s"],
        "python_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": measured["peak_mb"],
    }


def _identities(clusters: list[list[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(c) for c in clusters for key in c}


def _linked(clusters: list[list[str]]) -> set[tuple[str, str]]:
    return {(a, b) for c in clusters for a in c for b in c if a < b}


def compare(workspace: Path, name: str) -> dict[str, Any]:
    """``name``'s pairs, score counts and identities against DuckDB's."""
    mine = json.loads((workspace / f"out-{name}.json").read_text())
    duck = json.loads((workspace / "out-duckdb.json").read_text())
    ours, theirs = _identities(mine["clusters"]), _identities(duck["clusters"])
    same_pairs = mine["pairs"].keys() == duck["pairs"].keys()
    return {
        "clusters_equal": mine["clusters"] == duck["clusters"],
        "records_in_other_identity": sum(1 for k in theirs if ours.get(k) != theirs[k]),
        "linked_pairs_only_here": len(_linked(mine["clusters"]) - _linked(duck["clusters"])),
        "linked_pairs_only_duckdb": len(_linked(duck["clusters"]) - _linked(mine["clusters"])),
        "scored_pairs_equal": same_pairs,
        "scores_differing": sum(
            1 for k, v in mine["pairs"].items() if k in duck["pairs"] and duck["pairs"][k] != v
        ),
        "score_counts_equal": mine["scores"] == duck["scores"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["small", "medium"])
    parser.add_argument("--synthetic", type=int, default=0, help="person records (0: the scale)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default="duckdb,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("CRMSYNC_TEST_POSTGRES_URL"))
    parser.add_argument("--spark-master", default="local[*]")
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="the workspace's model and DuckDB run, if there"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="bench-splink-backends-"))
    if args.child:
        url = args.postgres_url if args.child == "postgres" else None
        backend = Backend(args.child, url, args.spark_master)
        print(json.dumps(child(backend, args.store, workspace)))
        return
    backends = ["duckdb"] + [b for b in args.backends.split(",") if b and b != "duckdb"]
    if "postgres" in backends and not args.postgres_url:
        parser.error("--postgres-url (or CRMSYNC_TEST_POSTGRES_URL) is needed for postgres")
    store = _store(args, workspace)
    trained = workspace / "trained.json"
    if not (args.reuse and trained.exists()):
        started = time.perf_counter()
        engine = open_store(f"sqlite:///{store}")
        entities = load_entities(engine, KIND)
        engine.dispose()
        model = train_splink(KIND, entities, NOW, CONFIG.learning.seed, CONFIG.max_key_records)
        (workspace / "model.json").write_text(json.dumps(model.body()))
        took = round(time.perf_counter() - started, 1)
        trained.write_text(json.dumps({"records": len(entities), "train_s": took}))
        (workspace / "run-duckdb.json").unlink(missing_ok=True)
        del entities
    results: dict[str, Any] = {
        "people": args.synthetic or args.scale,
        **json.loads(trained.read_text()),
        "backends": [],
    }
    for name in backends:
        kept = workspace / f"run-{name}.json"
        if name == "duckdb" and args.reuse and kept.exists():
            results["backends"].append(json.loads(kept.read_text()))
            continue
        command = [sys.executable, __file__, "--child", name, "--store", str(store)]
        command += ["--workspace", str(workspace), "--spark-master", args.spark_master]
        if args.postgres_url:
            command += ["--postgres-url", args.postgres_url]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        kept.write_text(json.dumps(run))
        if name != "duckdb":
            run["against_duckdb"] = compare(workspace, name)
        results["backends"].append(run)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{results['records']} people ({results['people']}), trained in {results['train_s']} s")
    for run in results["backends"]:
        print(
            f"{run['backend']:9} compared {run['compared_pairs']:>10,} scored"
            f" {run['scored_pairs']:>8,} identities {run['identities']:>7,}"
            f"  wall {run['wall_s']:>7} s (score {run['score_s']} s)  cpu {run['cpu_s']:>7} s"
            f"  peak {run['peak_mb']:>6} MB"
        )
        if "against_duckdb" in run:
            print("          vs duckdb:", json.dumps(run["against_duckdb"]))


if __name__ == "__main__":
    main()
