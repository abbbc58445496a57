"""Keap sync benchmark: a full and an incremental sync of the web shop from the sandbox's
Keap emulator into SQLite, against the floors.

    python bench/bench_keap.py [--scale medium] [--seed 1] [--json]

The sandbox runs in its own process, the sync in this one (``bench_sync``'s helpers).
Floors: >= 3,000 records/s; API calls of the full sync within 10% of the minimum. Keap's
minimum: each object's live records ÷ 1,000 (the REST v1 lists' largest ``limit``),
rounded up (the token refresh is not counted). The incremental sync after 1% churn reads
the changed window of every object but users and notes (read whole: no date filter in
either REST version) and compares no ids (the sandbox's config does that daily): its
calls are shown, not held to a floor.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from bench_sync import _sync  # bench/ is the script's folder, first on its path
from sandbox_process import served_sandbox

from connectors.core.http import pinned_session

FLOOR_RECORDS_PER_S = 3_000
CALLS_OVER_MINIMUM = 0.10
PAGE_MAX = 1000
OBJECTS = (
    "users",
    "companies",
    "contacts",
    "opportunities",
    "orders",
    "notes",
    "tasks",
    "appointments",
)


def minimum_calls(counts: dict[str, Any]) -> int:
    return sum(max(1, math.ceil(counts[o]["live"] / PAGE_MAX)) for o in OBJECTS)


def run(scale: str, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            truth = json.loads((Path(info["ground_truth_dir"]) / "summary.json").read_text())
            counts = truth["counts"]["keap"]
            generated = yaml.safe_load(Path(info["config_path"]).read_text())
            config = {
                "store": {"url": f"sqlite:///{work / 'keap'}.sqlite"},
                "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                "sources": [
                    {**s, "enabled": True} for s in generated["sources"] if s["name"] == "keap"
                ],
            }
            path = work / "keap.yaml"
            path.write_text(yaml.safe_dump(config))
            full = _sync(path, "keap")
            full["minimum_calls"] = minimum_calls(counts)
            live = sum(counts[o]["live"] for o in OBJECTS)
            with pinned_session(info["ca_bundle"]) as http:
                http.post(
                    f"{info['keap']['base_url']}/_sandbox/churn",
                    json={"changes": max(1, live // 100), "seed": seed + 1, "crms": ["keap"]},
                    timeout=600,
                ).raise_for_status()
            time.sleep(1.1)  # let the sandbox clock pass the changes' second
            incremental = _sync(path, "keap")
            incremental["time_share"] = incremental["seconds"] / full["seconds"]
            incremental["call_share"] = incremental["calls"] / max(full["calls"], 1)
    return {"full": full, "incremental_after_1pct": incremental, "live_records": live}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.scale, args.seed)
    full, incremental = result["full"], result["incremental_after_1pct"]
    over = full["calls"] / max(full["minimum_calls"], 1) - 1
    floors = {
        "records_per_s": full["records_per_s"] >= FLOOR_RECORDS_PER_S,
        "calls_within_10pct": over <= CALLS_OVER_MINIMUM,
    }
    if args.json:
        print(json.dumps({**result, "floors_met": floors}))
        return
    print(f"keap, scale {args.scale}, seed {args.seed}")
    print(
        f"  full: {full['records']:,} records in {full['seconds']:.1f} s = "
        f"{full['records_per_s']:,.0f} records/s, {full['cpu_us_per_record']:.0f} µs CPU/record, "
        f"{full['calls']} calls (minimum {full['minimum_calls']}, {over:+.0%})"
    )
    print(
        f"  incremental after 1%: {incremental['records']:,} records in "
        f"{incremental['seconds']:.2f} s ({incremental['time_share']:.1%} of full), "
        f"{incremental['calls']} calls ({incremental['call_share']:.1%})"
    )
    for name, met in floors.items():
        print(f"  {name}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
