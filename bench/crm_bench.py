"""One CRM's sync benchmark: a full sync of its part of the company from the sandbox into
SQLite, 1% of its records churned, an incremental sync; figures against the floors.

The per-CRM scripts (``bench_sugarcrm.py``, ``bench_keap.py``, ``bench_oracle.py``) say
which objects count and how the API's minimum number of calls is reckoned; the rest is here.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from bench_sync import _disposing, _sync  # bench/ is the script's folder, first on its path
from sandbox_process import served_sandbox
from sqlalchemy import Engine

from connectors.core.http import pinned_session

FLOOR_RECORDS_PER_S = 3_000
CALLS_OVER_MINIMUM = 0.10


def run(
    crm: str,
    counted: Sequence[str],
    minimum_calls: Callable[[dict[str, Any]], int],
    url_key: str,
    scale: str,
    seed: int,
) -> dict[str, Any]:
    """Full sync, 1% churn, incremental sync; ``counted`` objects make the live total."""
    engines: dict[str, Engine] = {}  # the store's engine kept across runs, as the daemon does
    with tempfile.TemporaryDirectory() as tmp, _disposing(engines):
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            truth = json.loads((Path(info["ground_truth_dir"]) / "summary.json").read_text())
            counts = truth["counts"][crm]
            generated = yaml.safe_load(Path(info["config_path"]).read_text())
            config = {
                "store": {"url": f"sqlite:///{work / crm}.sqlite"},
                "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                "sources": [
                    {**s, "enabled": True} for s in generated["sources"] if s["name"] == crm
                ],
            }
            path = work / f"{crm}.yaml"
            path.write_text(yaml.safe_dump(config))
            full = _sync(path, crm, engines)
            full["minimum_calls"] = minimum_calls(counts)
            live = sum(counts[o]["live"] for o in counted)
            with pinned_session(info["ca_bundle"]) as http:
                http.post(
                    f"{info[crm][url_key]}/_sandbox/churn",
                    json={"changes": max(1, live // 100), "seed": seed + 1, "crms": [crm]},
                    timeout=600,
                ).raise_for_status()
            time.sleep(1.1)  # let the sandbox clock pass the changes' second
            incremental = _sync(path, crm, engines)
            incremental["time_share"] = incremental["seconds"] / full["seconds"]
            incremental["call_share"] = incremental["calls"] / max(full["calls"], 1)
    return {"full": full, "incremental_after_1pct": incremental, "live_records": live}


def main(
    doc: str,
    crm: str,
    counted: Sequence[str],
    minimum_calls: Callable[[dict[str, Any]], int],
    url_key: str,
    calls_note: str = "",
) -> None:
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(crm, counted, minimum_calls, url_key, args.scale, args.seed)
    full, incremental = result["full"], result["incremental_after_1pct"]
    over = full["calls"] / max(full["minimum_calls"], 1) - 1
    floors = {
        "records_per_s": full["records_per_s"] >= FLOOR_RECORDS_PER_S,
        "calls_within_10pct": over <= CALLS_OVER_MINIMUM,
    }
    if args.json:
        print(json.dumps({**result, "floors_met": floors}))
        return
    print(f"{crm}, scale {args.scale}, seed {args.seed}")
    print(
        f"  full: {full['records']:,} records in {full['seconds']:.1f} s = "
        f"{full['records_per_s']:,.0f} records/s, {full['cpu_us_per_record']:.0f} µs CPU/record, "
        f"{full['calls']} calls (minimum {full['minimum_calls']}, {over:+.0%})"
    )
    print(
        f"  incremental after 1%: {incremental['records']:,} records in "
        f"{incremental['seconds']:.2f} s ({incremental['time_share']:.1%} of full), "
        f"{incremental['calls']} calls ({incremental['call_share']:.1%}{calls_note})"
    )
    for name, met in floors.items():
        print(f"  {name}: {'met' if met else 'NOT met'}")
