"""Push benchmark: 10,000 changed values written into each CRM of the sandbox.

    python bench/bench_push.py [--scale medium] [--seed 1] [--values 10000]
                               [--sources salesforce,hubspot,zoho] [--json]

The sandbox runs in its own process (``crmsync sandbox serve``); the push runs here. For
each CRM the script takes live record ids (``list_ids``) of contacts, leads, deals and
accounts until it has enough records, publishes ``--values`` changed values on them (two
fields per record where the CRM has fewer records than values), and times:

- the first push (fields created through the API): values/s, this process's CPU seconds
  (the client side; the emulators run elsewhere), write calls against the
  minimum ``ceil(records / batch maximum)`` per object, all API calls;
- the same push again with nothing changed: time and API calls (should be 0).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sandbox_process import served_sandbox

from connectors.core.http import pinned_session
from sync.config import load_config
from sync.push.write_back import push
from sync.sources import build_connector
from sync.store import open_store
from sync.store.view.published import DesiredValue, publish

BATCH_MAX = {"salesforce": 200, "hubspot": 100, "zoho": 100}
OBJECTS = ("contacts", "leads", "deals", "accounts")
WRITABLE = {"hubspot": ("contacts", "deals", "accounts")}


def _now() -> datetime:
    return datetime.now(UTC)


def _ids(config_path: Path, crm: str, wanted: int) -> dict[str, list[str]]:
    source = load_config(config_path).source(crm)
    connector = build_connector(source)
    found: dict[str, list[str]] = {}
    try:
        total = 0
        for obj in WRITABLE.get(crm, OBJECTS):
            if total >= wanted:
                break
            ids = sorted(connector.list_ids(obj))[: wanted - total]
            found[obj] = ids
            total += len(ids)
    finally:
        connector.close()
    return found


def _bench(work: Path, info: dict[str, Any], crm: str, values: int) -> dict[str, Any]:
    generated = yaml.safe_load(Path(info["config_path"]).read_text())
    config: dict[str, Any] = {
        "store": {"url": f"sqlite:///{work / crm}.sqlite"},
        "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
        "sources": [s for s in generated["sources"] if s["name"] == crm],
    }
    path = work / f"{crm}.yaml"
    path.write_text(yaml.safe_dump(config))
    ids = _ids(path, crm, values)
    records = sum(len(v) for v in ids.values())
    per_record = min(3, math.ceil(values / max(records, 1)))
    keys = [f"bench_score_{n}" for n in range(per_record)]
    config["push"] = {
        "create_fields": True,
        "targets": [
            {
                "key": key,
                "source": crm,
                "object": obj,
                "field": f"crmsync_{key}",
                "label": f"crmsync {key}",
            }
            for obj in ids
            for key in keys
        ],
    }
    path.write_text(yaml.safe_dump(config))
    cfg = load_config(path)
    engine = open_store(config["store"]["url"])
    rows = []
    for obj, rids in ids.items():
        for i, rid in enumerate(rids):
            for key in keys:
                if len(rows) < values:
                    rows.append(
                        DesiredValue(crm, obj, rid, key, Decimal(i % 1000) + Decimal("0.5"))
                    )
    with engine.begin() as conn:
        publish(conn, "bench", rows)
    admin = pinned_session(info["ca_bundle"])
    base = {
        "salesforce": info["salesforce"]["instance_url"],
        "hubspot": info["hubspot"]["base_url"],
        "zoho": info["zoho"]["api_domain"],
    }[crm]
    admin.delete(f"{base}/_sandbox/stats").close()
    started, cpu = time.perf_counter(), time.process_time()
    first = push(engine, cfg, _now)
    first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    served = admin.get(f"{base}/_sandbox/stats").json()["total"]
    started = time.perf_counter()
    again = push(engine, cfg, _now)
    again_s = time.perf_counter() - started
    outcome, repeat = first.sources[0], again.sources[0]
    # the fewest write calls possible: each object's written records / the API's batch max
    written = {p.object: len(p.records) for p in first.plan.objects}
    minimum = sum(math.ceil(n / BATCH_MAX[crm]) for n in written.values())
    engine.dispose()
    return {
        "crm": crm,
        "values": len(rows),
        "records": sum(written.values()),
        "seconds": round(first_s, 2),
        "cpu_seconds_client": round(first_cpu, 2),
        "values_per_s": round(len(rows) / first_s),
        "write_calls": outcome.write_calls,
        "write_calls_minimum": minimum,
        "api_calls": outcome.api_calls,
        "calls_served": served,
        "failed": outcome.failed,
        "rerun_seconds": round(again_s, 2),
        "rerun_api_calls": repeat.api_calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--values", type=int, default=10_000)
    parser.add_argument("--sources", default="salesforce,hubspot,zoho")
    parser.add_argument("--json", action="store_true", help="Print only the JSON result.")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        work = Path(tmp)
        with served_sandbox(args.scale, args.seed, work / "sandbox") as info:
            for crm in args.sources.split(","):
                results.append(_bench(work, info, crm, args.values))
    if not args.json:
        header = (
            "crm",
            "values",
            "records",
            "seconds",
            "values/s",
            "write calls",
            "minimum",
            "API calls",
            "re-run s",
            "re-run calls",
        )
        print(" | ".join(header))
        for r in results:
            print(
                " | ".join(
                    str(x)
                    for x in (
                        r["crm"],
                        r["values"],
                        r["records"],
                        r["seconds"],
                        r["values_per_s"],
                        r["write_calls"],
                        r["write_calls_minimum"],
                        r["api_calls"],
                        r["rerun_seconds"],
                        r["rerun_api_calls"],
                    )
                )
            )
    print(json.dumps({"scale": args.scale, "seed": args.seed, "results": results}))


if __name__ == "__main__":
    main()
