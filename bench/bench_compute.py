"""Plan-run benchmark: a synced, reconciled sandbox company through the compute step.

    python bench/bench_compute.py [--scale medium] [--seed 7] [--workspace DIR] [--json]

Builds (or reuses, with ``--workspace``) a store synced from the sandbox
(``sync.demo.run_demo``) and reconciled, then times the plan run of the anchor month as
``crmsync plan run`` does it: reading the store, building every deal's evidence across
CRMs, crediting, the plan calculation, storing the result. A second run checks the input hash
and the canonical result are byte-identical. Reports wall time per phase, CPU time, peak
RSS of this process, and the sizes (deals, acts, credit lines, employees).

The pure-engine scale benchmark (5,000 employees x 200,000 deals) is bench_engine's.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from compensation.calculation import canonical_json, run_period
from compensation.plans import Period
from sandbox.clock import DEFAULT_ANCHOR
from sync.compute.history import load_adjustments, save_run
from sync.compute.prepare import prepare
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
PERIOD = Period.parse("2026-10")
SETTINGS = CompensationConfig(
    plans_dir=REPO / "config" / "plans",
    directory={"source_defaults": {"zoho": {"team": "iberia_sales", "role": "field_sales"}}},
)


def _store(workspace: Path, scale: str, seed: int) -> tuple[str, dict[str, float]]:
    url = f"sqlite:///{(workspace / 'crmsync.sqlite').resolve()}"
    timings: dict[str, float] = {}
    if not (workspace / "crmsync.sqlite").exists():
        started = time.perf_counter()
        assert run_demo(workspace, seed=seed, scale=scale, anchor=DEFAULT_ANCHOR).ok
        timings["demo_sync_s"] = time.perf_counter() - started
        started = time.perf_counter()
        engine = open_store(url)
        reconcile(engine, ReconcileConfig(), NOW, "full")
        engine.dispose()
        timings["reconcile_s"] = time.perf_counter() - started
    return url, timings


def _plan_run(url: str) -> dict[str, Any]:
    engine = open_store(url)
    cpu = time.process_time()
    started = time.perf_counter()
    prepared = prepare(engine, SETTINGS, PERIOD, PERIOD.end)
    built = time.perf_counter()
    result = run_period(
        prepared.inputs, prepared.book, PERIOD, prepared.rates, None, load_adjustments(engine)
    )
    computed = time.perf_counter()
    save_run(
        engine,
        result,
        plan_versions=[],
        started_at=NOW,
        finished_at=NOW,
        deals=len(prepared.inputs.deals),
        credits=len(prepared.inputs.credits),
    )
    stored = time.perf_counter()
    engine.dispose()
    return {
        "evidence_and_crediting_s": round(built - started, 3),
        "engine_s": round(computed - built, 3),
        "store_s": round(stored - computed, 3),
        "total_s": round(stored - started, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "deals": len(prepared.inputs.deals),
        "acts": sum(len(e.acts) for e in prepared.evidence.deals),
        "credits": len(prepared.inputs.credits),
        "employees": len(result.employees),
        "input_hash": result.input_hash,
        "canonical": canonical_json(result),
    }


def run(scale: str, seed: int, workspace: Path) -> dict[str, Any]:
    url, timings = _store(workspace, scale, seed)
    first = _plan_run(url)
    second = _plan_run(url)
    same = first.pop("canonical") == second.pop("canonical")
    return {
        "scale": scale,
        "seed": seed,
        **timings,
        **first,
        "second_run_s": second["total_s"],
        "reproducible": same and first["input_hash"] == second["input_hash"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workspace", type=Path, help="Reuse (or build) the store here.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="bench-compute-"))
    workspace.mkdir(parents=True, exist_ok=True)
    results = run(args.scale, args.seed, workspace)
    if args.json:
        print(json.dumps(results))
        return
    print(f"plan run of {PERIOD.key}, sandbox scale {args.scale}, seed {args.seed}")
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"  {key:<{width}}  {value}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
