"""Audit benchmark: rules, usage scores, DQ and engagement over a synced sandbox store.

    python bench/bench_audit.py [--scale medium] [--seed 1] [--workspace DIR] [--json]

Builds the store with ``run_demo`` (sandbox + sync of the three CRMs; not timed) unless
``--workspace`` already holds one, then times, in this process: loading the store,
``run_audit`` without and with persisting the results, and the four reports. Reports
wall-clock and CPU seconds and peak RSS. Issue floor: audit + scores at medium scale in
under 30 s.
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

from sqlalchemy import text

from sandbox.clock import DEFAULT_ANCHOR
from sync.audit import AuditConfig, run_audit
from sync.audit.snapshot import load_snapshot
from sync.demo import run_demo
from sync.reports import channel_report, pipeline_report, service_report
from sync.reports.figures import usage_report
from sync.store import open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
FLOOR_S = 30.0


def _timed(label: str, results: list[dict[str, Any]], fn: Any) -> Any:
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    results.append(
        {
            "step": label,
            "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
        }
    )
    return value


def bench(workspace: Path, scale: str, seed: int) -> dict[str, Any]:
    store = workspace / "crmsync.sqlite"
    if not store.exists():
        result = run_demo(workspace, seed=seed, scale=scale, anchor=DEFAULT_ANCHOR)
        if not result.ok:
            raise SystemExit("the demo sync did not succeed")
    engine = open_store(f"sqlite:///{store.resolve()}")
    with engine.connect() as connection:
        counts = {
            table: connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE is_deleted = false")
            ).scalar_one()
            for table in ("leads", "contacts", "accounts", "deals", "activities", "cases")
        }
    config = AuditConfig()
    steps: list[dict[str, Any]] = []
    snapshot = _timed("load store", steps, lambda: load_snapshot(engine))
    _timed("audit + scores", steps, lambda: run_audit(engine, config, AS_OF, persist=False))
    result = _timed("audit + scores + save", steps, lambda: run_audit(engine, config, AS_OF))
    _timed(
        "reports (4)",
        steps,
        lambda: (
            channel_report(snapshot, config.lead_objects, config.non_lead_stages),
            pipeline_report(snapshot, AS_OF),
            service_report(snapshot, AS_OF, config.case_sla_hours),
            usage_report(result, {}),
        ),
    )
    audit_s = next(s["wall_s"] for s in steps if s["step"] == "audit + scores + save")
    return {
        "scale": scale,
        "seed": seed,
        "records": counts,
        "findings": len(result.findings),
        "employees": len(result.scores),
        "steps": steps,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "floor_s": FLOOR_S,
        "within_floor": audit_s < FLOOR_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workspace", type=Path, default=None, help="reuse or build here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.workspace is None:
        with tempfile.TemporaryDirectory() as tmp:
            results = bench(Path(tmp), args.scale, args.seed)
    else:
        results = bench(args.workspace, args.scale, args.seed)
    if args.json:
        print(json.dumps(results))
        return
    print(f"scale {results['scale']}, seed {results['seed']}: {results['records']}")
    print(f"{results['findings']} findings, {results['employees']} employees scored")
    print(f"{'step':<24}{'wall s':>10}{'cpu s':>10}")
    for step in results["steps"]:
        print(f"{step['step']:<24}{step['wall_s']:>10}{step['cpu_s']:>10}")
    print(f"peak RSS {results['peak_rss_mb']} MB; under {FLOOR_S:g} s: {results['within_floor']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
