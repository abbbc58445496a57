"""Oracle CX Sales sync benchmark: a full and an incremental sync of the strategic accounts
division from the sandbox's Oracle emulator into SQLite, against the issue's floors.

    python bench/bench_oracle.py [--scale medium] [--seed 1] [--json]

The sandbox runs in its own process, the sync in this one (``bench_sync``'s helpers).
Floors: >= 3,000 records/s; API calls within 10% of the minimum. Oracle's minimum for a
full sync: each collection's live records ÷ 500 (the largest ``limit``), rounded up, plus
the opportunities' pages twice more, for their contact rows and their revenue lines
(``expand=OpportunityContact``, ``expand=ChildRevenue`` bring them inline; Fusion lists
them under no collection of their own, and each is a stream of its own). A full read sees
every id, so it makes no id scan. The incremental sync also pays the id scans that find
deletes (Fusion has no deleted-records feed; the sandbox's config checks ids every run):
each collection's ids ÷ 500 again.
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
PAGE_MAX = 500
RESOURCES = (
    "resourceUsers",
    "leads",
    "contacts",
    "accounts",
    "opportunities",
    "activities",
    "serviceRequests",
)


def minimum_calls(counts: dict[str, Any]) -> int:
    pages = sum(math.ceil(counts[r]["live"] / PAGE_MAX) for r in RESOURCES if counts[r]["live"])
    # deal_contacts and deal_products: the opportunities' pages again, a child expanded
    return pages + 2 * math.ceil(counts["opportunities"]["live"] / PAGE_MAX)


def run(scale: str, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            truth = json.loads((Path(info["ground_truth_dir"]) / "summary.json").read_text())
            counts = truth["counts"]["oracle"]
            generated = yaml.safe_load(Path(info["config_path"]).read_text())
            config = {
                "store": {"url": f"sqlite:///{work / 'oracle'}.sqlite"},
                "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                "sources": [
                    {**s, "enabled": True} for s in generated["sources"] if s["name"] == "oracle"
                ],
            }
            path = work / "oracle.yaml"
            path.write_text(yaml.safe_dump(config))
            full = _sync(path, "oracle")
            full["minimum_calls"] = minimum_calls(counts)
            children = ("OpportunityContact", "ChildRevenue")
            live = sum(counts[r]["live"] for r in (*RESOURCES, *children))
            with pinned_session(info["ca_bundle"]) as http:
                http.post(
                    f"{info['oracle']['site_url']}/_sandbox/churn",
                    json={"changes": max(1, live // 100), "seed": seed + 1, "crms": ["oracle"]},
                    timeout=600,
                ).raise_for_status()
            time.sleep(1.1)  # let the sandbox clock pass the changes' millisecond
            incremental = _sync(path, "oracle")
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
    print(f"oracle, scale {args.scale}, seed {args.seed}")
    print(
        f"  full: {full['records']:,} records in {full['seconds']:.1f} s = "
        f"{full['records_per_s']:,.0f} records/s, {full['cpu_us_per_record']:.0f} µs CPU/record, "
        f"{full['calls']} calls (minimum {full['minimum_calls']}, {over:+.0%})"
    )
    print(
        f"  incremental after 1%: {incremental['records']:,} records in "
        f"{incremental['seconds']:.2f} s ({incremental['time_share']:.1%} of full), "
        f"{incremental['calls']} calls ({incremental['call_share']:.1%}, id scans included)"
    )
    for name, met in floors.items():
        print(f"  {name}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
