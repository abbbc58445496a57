"""History sync benchmark: what reading the CRMs' own history adds to a sync.

    python bench/bench_history.py [--scale medium] [--seed 1] [--sources salesforce,hubspot,zoho]
                                  [--json]

The sandbox runs in its own process (``crmsync sandbox serve --anchor 2026-10-31``). For
each source, into a fresh SQLite store:

1. a full sync of every stream but ``history``: wall seconds, CPU seconds (this process),
   API calls;
2. a full read of ``history`` alone: the same figures, and its share of step 1 (the
   issue's floor: history adds at most 20% to a full sync at medium scale);
3. 1% of the CRM's records changed (sandbox churn), then an incremental ``history`` read:
   rows fetched and calls (only the new history is read).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from bench_sync import _churn
from sandbox_process import served_sandbox

from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store


def _now() -> datetime:
    return datetime.now(UTC)


def _timed(config_path: Path, name: str, streams: tuple[str, ...] | None) -> dict[str, Any]:
    config = load_config(config_path)
    source = config.source(name)
    connector = build_connector(source)
    engine = open_store(config.store.url)
    if streams is None:
        streams = tuple(s.name for s in connector.streams() if s.name != "history")
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        report = sync_source(engine, source, connector, SyncOptions(streams=streams), now=_now)
    finally:
        connector.close()
        engine.dispose()
    if report.status != "succeeded":
        raise RuntimeError(f"{name}: {report.error}")
    return {
        "records": sum(s.counts.fetched for s in report.streams),
        "calls": sum(s.api_calls for s in report.streams),
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }


def run(scale: str, seed: int, sources: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            truth = json.loads((Path(info["ground_truth_dir"]) / "summary.json").read_text())
            generated = yaml.safe_load(Path(info["config_path"]).read_text())
            for crm in sources:
                config = {
                    "store": {"url": f"sqlite:///{work / crm}.sqlite"},
                    "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                    "sources": [s for s in generated["sources"] if s["name"] == crm],
                }
                path = work / f"{crm}.yaml"
                path.write_text(yaml.safe_dump(config, sort_keys=False))
                rest = _timed(path, crm, None)
                history = _timed(path, crm, ("history",))
                live = sum(o["live"] for o in truth["counts"][crm].values())
                _churn(info, crm, max(1, live // 100), seed + 1)
                incremental = _timed(path, crm, ("history",))
                results[crm] = {
                    "full_without_history": rest,
                    "history_full": history,
                    "history_share_of_full_wall": round(history["seconds"] / rest["seconds"], 3),
                    "history_share_of_full_cpu": round(
                        history["cpu_seconds"] / max(rest["cpu_seconds"], 1e-9), 3
                    ),
                    "history_incremental_after_1pct": incremental,
                }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", default="salesforce,hubspot,zoho")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = run(args.scale, args.seed, args.sources.split(","))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for crm, r in results.items():
        rest, hist, inc = (
            r["full_without_history"],
            r["history_full"],
            r["history_incremental_after_1pct"],
        )
        print(
            f"{crm}: full sync {rest['seconds']} s / {rest['cpu_seconds']} s CPU / "
            f"{rest['calls']} calls; history {hist['records']} rows in {hist['seconds']} s / "
            f"{hist['cpu_seconds']} s CPU / {hist['calls']} calls = "
            f"{r['history_share_of_full_wall']:.1%} of the wall time, "
            f"{r['history_share_of_full_cpu']:.1%} of the CPU; after 1% churn: "
            f"{inc['records']} rows, {inc['calls']} calls, {inc['seconds']} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
