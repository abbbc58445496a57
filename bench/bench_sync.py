"""Sync benchmark: full and incremental sync of each source from the sandbox into SQLite.

    python bench/bench_sync.py [--scale medium] [--seed 1] [--sources salesforce,hubspot,zoho]
                               [--peer tap-salesforce] [--peer-envs DIR] [--cli] [--json]

The sandbox runs in its own process (``crmsync sandbox serve``), as it would for a user;
the sync runs in this process, so the CPU figures are the sync side only, and as the daemon
runs it: each store's engine is opened once and kept (its connections and compiled
statements with it), a connector is built for each run. For each source:

- full sync: records/s, CPU µs per record (this process), peak RSS, API calls used against
  the minimum possible (records of each object ÷ that API's largest page, summed);
- incremental sync after changing 1% of that CRM's records (sandbox churn): time and calls,
  as a share of the full sync's.

With ``--peer tap-salesforce`` the Singer tap (installed at its pinned version into a venv
under ``--peer-envs``, as ``bench/peers/run.py`` does) then reads the same sandbox's
Salesforce objects in the same run: its CPU per record (the tap's process, discovery left
out) stands beside crmsync's.

With ``--cli`` the syncs run through the command line instead, as a user runs them: one
``crmsync sync`` of every chosen source into one store (full, as the first run), then one
with nothing changed (what any incremental call costs at least: start-up, the store, one
look at each stream), then 1% of each CRM's records changed, then ``crmsync sync`` again
(incremental); wall and CPU seconds of each command, start-up included.

Floors: >= 3,000 records/s per source; API calls within 10% of the minimum; an incremental
sync after 1% changes costs <= 3% of a full sync's time and calls (issue 3), and through the
CLI at medium scale, start-up included, <= 5% of the full sync's wall time (issue 21).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from sandbox_process import served_sandbox
from sqlalchemy import Engine

from connectors.core.http import pinned_session
from sandbox.credentials import SandboxCredentials
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import open_store

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("compensation", "connectors", "sandbox", "sync")
PAGE_MAX = {"salesforce": 2000, "hubspot": 100, "zoho": 200, "dynamics": 5000}
OBJECTS = {
    "salesforce": (
        "User",
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityContactRole",
        "Task",
        "Event",
        "Case",
        "CampaignMember",
    ),
    "hubspot": (
        "contacts",
        "companies",
        "deals",
        "tickets",
        "calls",
        "emails",
        "meetings",
        "notes",
        "tasks",
    ),
    "zoho": ("Leads", "Contacts", "Accounts", "Deals", "Tasks", "Calls", "Events", "Cases"),
    "dynamics": (
        "systemuser",
        "lead",
        "contact",
        "account",
        "opportunity",
        "connection",
        "opportunityproduct",
        "phonecall",
        "email",
        "appointment",
        "task",
        "incident",
        "campaignresponse",
    ),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _sync(config_path: Path, name: str, engines: dict[str, Engine]) -> dict[str, Any]:
    """One sync of source ``name`` as the daemon runs it (``sync.daemon.jobs.SourceJob``):
    the store's engine opened once and kept in ``engines`` for the whole benchmark (its
    pool and compiled statements with it), a connector built for each run and closed after
    it. The time is the run and the connector's closing; building the connector is not in
    it. A CLI call opens an engine (and imports crmsync) for each run: ``--cli`` measures
    that."""
    config = load_config(config_path)
    source = config.source(name)
    connector = build_connector(source)
    url = config.store.url
    if url not in engines:
        engines[url] = open_store(url)
    engine = engines[url]
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        report = sync_source(engine, source, connector, SyncOptions(), now=_now)
    finally:
        connector.close()
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    fetched = sum(s.counts.fetched for s in report.streams)
    return {
        "status": report.status,
        "records": fetched,
        "calls": sum(s.api_calls for s in report.streams),
        # with the calls made outside the streams (the signpost's server-time call)
        "calls_total": connector.api_usage().calls,
        "seconds": wall,
        "cpu_us_per_record": cpu / max(fetched, 1) * 1e6,
        "records_per_s": fetched / wall if wall else 0.0,
    }


@contextmanager
def _disposing(engines: dict[str, Engine]) -> Iterator[None]:
    try:
        yield
    finally:
        for engine in engines.values():
            engine.dispose()


def _minimum_calls(counts: dict[str, Any], crm: str) -> int:
    objects = counts["counts"][crm]
    return sum(
        math.ceil(objects[o]["live"] / PAGE_MAX[crm])
        for o in OBJECTS[crm]
        if o in objects and objects[o]["live"]
    )


def _base_url(info: dict[str, Any], crm: str) -> str:
    return str(
        {
            "salesforce": info["salesforce"]["instance_url"],
            "hubspot": info["hubspot"]["base_url"],
            "zoho": info["zoho"]["api_domain"],
            "dynamics": info["dynamics"]["environment_url"],
        }[crm]
    )


def _churn(info: dict[str, Any], crm: str, changes: int, seed: int) -> None:
    url = _base_url(info, crm)
    with pinned_session(info["ca_bundle"]) as http:
        response = http.post(
            f"{url}/_sandbox/churn",
            json={"changes": changes, "seed": seed, "crms": [crm]},
            timeout=600,
        )
        response.raise_for_status()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peer(name: str, info: dict[str, Any], seed: int, work: Path, envs: Path) -> dict[str, Any]:
    """Run a peer client's recipe on the served sandbox; CPU of each of its commands."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
    from context import ClientRun  # bench/peers: the peer-client check's recipes
    from envs import prepare_env
    from recipes import RECIPES

    recipe = RECIPES[name]
    env = prepare_env(envs / name, recipe.requirements, recipe.patches, work / f"{name}.log")
    cpu: dict[str, float] = {}

    class TimedRun(ClientRun):
        def run(self, command: list[str], stdout_name: str, extra_env: Any = None) -> Path:
            before, started = _children_cpu(), time.perf_counter()
            out = super().run(command, stdout_name, extra_env)
            cpu[stdout_name] = _children_cpu() - before
            cpu[f"{stdout_name} wall"] = time.perf_counter() - started
            return out

    url = info[recipe.crm].get("instance_url") or info[recipe.crm].get("base_url")
    (work / name).mkdir()
    run = TimedRun(
        env=env,
        workdir=work / name,
        info=SimpleNamespace(ca_bundle=Path(info["ca_bundle"])),  # type: ignore[arg-type]
        credentials=SandboxCredentials.for_seed(seed),
        base_url=url,
        timeout_s=900,
    )
    counts = recipe.read(run)
    if run.failed:
        raise RuntimeError(f"{name} failed: {run.notes}")
    records = sum(counts.values())
    # The read itself: Singer taps write their records to records.jsonl.
    read_cpu = cpu["records.jsonl"]
    return {
        "client": name,
        "records": records,
        "seconds": cpu["records.jsonl wall"],
        "cpu_seconds": read_cpu,
        "discovery_cpu_seconds": sum(v for k, v in cpu.items() if k.endswith(".json")),
        "cpu_us_per_record": read_cpu / max(records, 1) * 1e6,
    }


def run(
    scale: str,
    seed: int,
    sources: list[str],
    peer: str | None = None,
    envs: Path | None = None,
    rounds: int = 1,
) -> dict[str, Any]:
    """Full, then incremental after 1% changed, of each source in this process. With
    ``rounds`` > 1, the full sync runs that many times (each into an empty store) and the
    incremental that many times (each after another 1% changed): the shares are taken
    between the medians, and every round's seconds are reported."""
    results: dict[str, Any] = {}
    engines: dict[str, Engine] = {}  # one per store, kept as the daemon keeps its own
    with tempfile.TemporaryDirectory() as tmp, _disposing(engines):
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
                path.write_text(yaml.safe_dump(config))
                rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                full = _sync(path, crm, engines)
                full["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                full["peak_rss_growth_mb"] = (full["peak_rss_mb"] * 1024 - rss_before) / 1024
                full["minimum_calls"] = _minimum_calls(truth, crm)
                full["rounds_seconds"] = [full["seconds"]]
                for n in range(1, rounds):  # into empty stores of their own
                    again = work / f"{crm}-{n}.yaml"
                    store = {"url": f"sqlite:///{work / crm}-{n}.sqlite"}
                    again.write_text(yaml.safe_dump({**config, "store": store}))
                    full["rounds_seconds"].append(_sync(again, crm, engines)["seconds"])
                if peer and crm == "salesforce":  # the same records, before any churn
                    results["peer"] = _peer(peer, info, seed, work, envs or work / "envs")
                live = sum(
                    truth["counts"][crm][o]["live"]
                    for o in OBJECTS[crm]
                    if o in truth["counts"][crm]
                )
                incrementals = []
                for n in range(rounds):
                    _churn(info, crm, max(1, live // 100), seed + 1 + n)
                    time.sleep(1.1)  # let the sandbox clock pass the changes' second
                    incrementals.append(_sync(path, crm, engines))
                incremental = sorted(incrementals, key=lambda r: r["seconds"])[rounds // 2]
                incremental["rounds_seconds"] = [r["seconds"] for r in incrementals]
                full_median = sorted(full["rounds_seconds"])[rounds // 2]
                incremental["time_share"] = incremental["seconds"] / full_median
                incremental["call_share"] = incremental["calls"] / max(full["calls"], 1)
                results[crm] = {
                    "full": full,
                    "incremental_after_1pct": incremental,
                    "live_records": live,
                }
    return results


def _cli_sync(config_path: Path, jobs: int = 0) -> dict[str, Any]:
    command = [sys.executable, "-m", "sync", "sync", "--config", str(config_path), "--json"]
    command += ["--jobs", str(jobs)]
    cpu, wall = _children_cpu(), time.perf_counter()
    # From compiled bytecode, as an installed crmsync runs (a PYTHONDONTWRITEBYTECODE in
    # the environment would make every command compile crmsync's modules again).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode:
        raise RuntimeError(f"crmsync sync failed ({done.returncode}): {done.stderr[-2000:]}")
    reports = json.loads(done.stdout)
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "records": sum(s["fetched"] for r in reports for s in r["streams"]),
        "calls": sum(s["api_calls"] for r in reports for s in r["streams"]),
        "in_sync_seconds": {r["source"]: sum(s["seconds"] for s in r["streams"]) for r in reports},
        "by_source": {
            r["source"]: {
                "records": sum(s["fetched"] for s in r["streams"]),
                "calls": sum(s["api_calls"] for s in r["streams"]),
            }
            for r in reports
        },
    }


def _compile_installed() -> None:
    """Compile the environment's modules first, as pip does when it installs them:
    ``dev.py`` installs without compiling, and the first command would otherwise pay for
    compiling the libraries it imports (a second or more), inflating the full sync."""
    folders = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(folders)]
    subprocess.run([*command, *(str(ROOT / p) for p in PACKAGES)], check=True)


def run_cli(
    scale: str, seed: int, sources: list[str], jobs: int = 0, round_trip_ms: float = 0.0
) -> dict[str, Any]:
    """Full, then incremental after 1% changed, of every source through ``crmsync sync``
    (``--jobs``); with ``round_trip_ms``, every CRM request waits that long in the sandbox,
    as a CRM across the internet answers."""
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            with pinned_session(info["ca_bundle"]) as http:
                for crm in sources if round_trip_ms else []:  # each emulator has its plan
                    http.put(
                        f"{_base_url(info, crm)}/_sandbox/faults",
                        json={"profile": "none", "round_trip_s": round_trip_ms / 1000},
                        timeout=60,
                    ).raise_for_status()
            truth = json.loads((Path(info["ground_truth_dir"]) / "summary.json").read_text())
            generated = yaml.safe_load(Path(info["config_path"]).read_text())
            config = {
                "store": {"url": f"sqlite:///{work / 'store'}.sqlite"},
                "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                "sources": [s for s in generated["sources"] if s["name"] in sources],
            }
            path = work / "crmsync.yaml"
            path.write_text(yaml.safe_dump(config))
            _compile_installed()
            full = _cli_sync(path, jobs)
            loads.append(os.getloadavg()[0])
            time.sleep(1.1)  # a second later, with nothing changed: what every call costs
            unchanged = _cli_sync(path, jobs)
            for crm in sources:
                live = sum(
                    truth["counts"][crm][o]["live"]
                    for o in OBJECTS[crm]
                    if o in truth["counts"][crm]
                )
                _churn(info, crm, max(1, live // 100), seed + 1)
            time.sleep(1.1)  # let the sandbox clock pass the changes' second
            incremental = _cli_sync(path, jobs)
            loads.append(os.getloadavg()[0])
    incremental["time_share"] = incremental["seconds"] / full["seconds"]
    incremental["cpu_share"] = incremental["cpu_seconds"] / full["cpu_seconds"]
    unchanged["time_share"] = unchanged["seconds"] / full["seconds"]
    unchanged["cpu_share"] = unchanged["cpu_seconds"] / full["cpu_seconds"]
    # the wall times grow with the machine's load: the load average at start and after each
    return {
        "full": full,
        "incremental_after_1pct": incremental,
        "incremental_nothing_changed": unchanged,
        "load_average": loads,
        "jobs": jobs,
        "round_trip_ms": round_trip_ms,
    }


def _print_cli(scale: str, seed: int, results: dict[str, Any]) -> None:
    f, i = results["full"], results["incremental_after_1pct"]
    loads = ", ".join(f"{x:.1f}" for x in results["load_average"])
    print(
        f"scale {scale}, seed {seed}, through `crmsync sync --jobs {results['jobs']}` (start-up "
        f"included), round trip {results['round_trip_ms']:g} ms; load {loads}"
    )
    u = results["incremental_nothing_changed"]
    for what, r in (("full", f), ("nothing changed", u), ("incremental after 1%", i)):
        inside = ", ".join(f"{k} {v:.2f} s" for k, v in r["in_sync_seconds"].items())
        print(
            f"  {what:<21} {r['records']:>7,} records, {r['calls']:>4} calls, "
            f"{r['seconds']:6.2f} s wall, {r['cpu_seconds']:6.2f} s CPU (inside: {inside})"
        )
        sources = ", ".join(
            f"{k} {v['records']:,} records in {v['calls']} calls" for k, v in r["by_source"].items()
        )
        print(f"  {'':<21} {sources}")
    print(f"  incremental / full: {i['time_share']:.1%} wall, {i['cpu_share']:.1%} CPU")
    print(
        f"  nothing changed / full: {u['time_share']:.1%} wall, {u['cpu_share']:.1%} CPU "
        "(start-up, store and one look at each stream: the floor under any incremental)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", default="salesforce,hubspot,zoho")
    parser.add_argument("--peer", choices=["tap-salesforce"], help="also run this peer client")
    parser.add_argument("--peer-envs", type=Path, help="folder for its venv (reused if given)")
    parser.add_argument("--cli", action="store_true", help="sync through `crmsync sync`")
    parser.add_argument("--jobs", type=int, default=0, help="--cli: `crmsync sync --jobs`")
    parser.add_argument(
        "--round-trip-ms", type=float, default=0.0, help="--cli: each CRM request waits this long"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.cli:
        cli = run_cli(args.scale, args.seed, args.sources.split(","), args.jobs, args.round_trip_ms)
        print(json.dumps(cli)) if args.json else _print_cli(args.scale, args.seed, cli)
        return
    results = run(args.scale, args.seed, args.sources.split(","), args.peer, args.peer_envs)
    peer = results.pop("peer", None)
    if args.json:
        print(json.dumps({**results, "peer": peer} if peer else results))
        return
    print(f"scale {args.scale}, seed {args.seed}")
    for crm, r in results.items():
        f, i = r["full"], r["incremental_after_1pct"]
        print(
            f"  {crm:<10} full: {f['records']:>7,} records in {f['seconds']:5.1f} s = "
            f"{f['records_per_s']:>6,.0f} rec/s, {f['cpu_us_per_record']:5.0f} µs CPU/record, "
            f"peak RSS {f['peak_rss_mb']:.0f} MB, {f['calls']} calls "
            f"(minimum {f['minimum_calls']}, +{f['calls'] / max(f['minimum_calls'], 1) - 1:.0%})"
        )
        print(
            f"  {'':<10} incremental after 1%: {i['records']:>6,} records, {i['seconds']:.2f} s "
            f"({i['time_share']:.1%} of full), {i['calls']} calls ({i['call_share']:.1%})"
        )
    if peer:
        ours = results.get("salesforce", {}).get("full", {}).get("cpu_us_per_record")
        ratio = f", crmsync {ours / peer['cpu_us_per_record']:.2f}x its CPU/record" if ours else ""
        print(
            f"  {peer['client']} (same sandbox, same run): {peer['records']:,} records in "
            f"{peer['seconds']:.1f} s, {peer['cpu_us_per_record']:.0f} µs CPU/record "
            f"(discovery {peer['discovery_cpu_seconds']:.1f} s CPU not counted){ratio}"
        )


if __name__ == "__main__":
    main()
