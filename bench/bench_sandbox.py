"""Sandbox benchmark: generation cost and full-read throughput through the official clients.

    python bench/bench_sandbox.py [--scale medium] [--seed 1] [--json]

1. Generates the synthetic company in a child process and reports wall time and peak RSS.
2. Starts ``crmsync sandbox serve`` (its own process, as a user would) on that scale, then
   reads every object of every CRM to the end through the official clients
   (simple-salesforce ``query_all_iter``, hubspot-api-client ``basic_api.get_page``, plain
   requests with Zoho ``page_token`` paging) and reports records/s per CRM.

Issue floors: medium generated in < 60 s and < 2 GB; >= 5,000 records/s per emulator.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from sandbox_process import served_sandbox
from simple_salesforce import Salesforce

from connectors.core.http import pinned_session
from sandbox.peek import HUBSPOT_OBJECTS, SALESFORCE_OBJECTS, ZOHO_MODULES

_GENERATE = """
import json, resource, sys, time
from sandbox import DEFAULT_ANCHOR
from sandbox.generator import generate
t = time.perf_counter()
world = generate(int(sys.argv[1]), sys.argv[2], DEFAULT_ANCHOR)
seconds = time.perf_counter() - t
records = sum(len(t) for crm in (world.salesforce, world.hubspot, world.zoho) for t in crm.values())
print(json.dumps({"seconds": seconds, "records": records,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_generation(seed: int, scale: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _GENERATE, str(seed), scale],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def read_salesforce(info: dict[str, Any]) -> int:
    with pinned_session(info["ca_bundle"]) as session:
        sf = Salesforce(
            instance_url=info["salesforce"]["instance_url"],
            session_id=info["salesforce"]["access_token"],
            session=session,
            version="59.0",
        )
        total = 0
        for name in SALESFORCE_OBJECTS:
            fields = [f["name"] for f in sf.__getattr__(name).describe()["fields"]]
            soql = f"SELECT {', '.join(fields)} FROM {name}"
            total += sum(1 for _ in sf.query_all_iter(soql))
        return total


def read_hubspot(info: dict[str, Any], raw: bool = False) -> int:
    """Every object through ``basic_api.get_page`` with all properties.

    ``raw`` asks the official client for the undecoded response (``_preload_content=False``)
    and parses it with orjson, as crmsync's connector does: the client's model
    deserialisation, not the emulator, is what bounds the default path.
    """
    from hubspot import HubSpot

    client = HubSpot(
        access_token=info["hubspot"]["access_token"],
        host=info["hubspot"]["base_url"],
        ssl_ca_cert=info["ca_bundle"],
    )
    total = 0
    for name in HUBSPOT_OBJECTS:
        props = [p.name for p in client.crm.properties.core_api.get_all(name).results]
        after = None
        while True:
            if raw:
                response = client.crm.objects.basic_api.get_page(
                    name, limit=100, after=after, properties=props, _preload_content=False
                )
                body = orjson.loads(response.data)
                total += len(body["results"])
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                if after is None:
                    break
                continue
            page = client.crm.objects.basic_api.get_page(
                name, limit=100, after=after, properties=props
            )
            total += len(page.results)
            if page.paging is None or page.paging.next is None:
                break
            after = page.paging.next.after
    return total


def read_zoho(info: dict[str, Any]) -> int:
    zoho = info["zoho"]
    with pinned_session(info["ca_bundle"]) as session:
        token = session.post(
            f"{zoho['accounts_url']}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": zoho["client_id"],
                "client_secret": zoho["client_secret"],
                "refresh_token": zoho["refresh_token"],
            },
        ).json()["access_token"]
        session.headers["Authorization"] = f"Zoho-oauthtoken {token}"
        total = 0
        for module in ZOHO_MODULES:
            meta = session.get(
                f"{zoho['api_domain']}/crm/v8/settings/fields", params={"module": module}
            ).json()["fields"]
            fields = ",".join(f["api_name"] for f in meta[:50])
            params: dict[str, Any] = {"fields": fields, "per_page": 200}
            while True:
                response = session.get(f"{zoho['api_domain']}/crm/v8/{module}", params=params)
                if response.status_code == 204:
                    break
                response.raise_for_status()
                body = response.json()
                total += len(body["data"])
                token_next = body["info"].get("next_page_token")
                if not body["info"].get("more_records") or not token_next:
                    break
                params = {"fields": fields, "per_page": 200, "page_token": token_next}
        return total


def measure_reads(seed: int, scale: str) -> dict[str, dict[str, float]]:
    readers = (
        ("salesforce", read_salesforce),
        ("hubspot", read_hubspot),
        ("hubspot (raw responses)", lambda i: read_hubspot(i, raw=True)),
        ("zoho", read_zoho),
    )
    results = {}
    with (
        tempfile.TemporaryDirectory() as state,
        served_sandbox(scale, seed, Path(state) / "s") as info,
    ):
        for crm, reader in readers:
            started = time.perf_counter()
            records = reader(info)
            seconds = time.perf_counter() - started
            results[crm] = {
                "records": records,
                "seconds": round(seconds, 2),
                "records_per_s": round(records / seconds),
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    generation = measure_generation(args.seed, args.scale)
    reads = measure_reads(args.seed, args.scale)
    report = {
        "scale": args.scale,
        "generation": generation,
        "reads": reads,
        "bench_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"scale {args.scale}: generated {generation['records']:,} records in "
        f"{generation['seconds']:.1f} s, peak RSS {generation['peak_rss_mb']:.0f} MB"
    )
    for crm, figures in reads.items():
        print(
            f"  {crm:<24} full read {figures['records']:>9,} records in "
            f"{figures['seconds']:>6.1f} s = {figures['records_per_s']:>7,} records/s"
        )


if __name__ == "__main__":
    main()
