"""Peer-client check: third-party CRM clients read the sandbox; their counts meet the truth.

    PYTHONPATH=. python bench/peers/run.py [--clients tap-salesforce,dlt-hubspot]
        [--scale small] [--seed 1] [--anchor 2026-10-31|today] [--envs DIR] [--work DIR]
        [--verified-sources DIR] [--timeout 900] [--json OUT]

Each client is installed, at a pinned version, into a throwaway virtual environment (under
``--envs``, a temporary folder by default; pass a folder to reuse them between runs); the
patch files in ``bench/peers/patches/`` change only the URL it connects to, and the CA
bundle is given through the environment. The sandbox runs in this process. For each client
the check prints the records it read per stream against the ground truth's live records,
and every request the sandbox answered with 4xx or 5xx.

dlt's HubSpot source is not on the package registry: it comes from a checkout of
dlt-hub/verified-sources (``--verified-sources``; without it the recipe tries ``git clone``).
Not part of the test suite: it needs the package registry and several minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from context import ClientRun
from envs import prepare_env
from recipes import RECIPES, Recipe
from sandbox_errors import ErrorRecorder

from sandbox import Sandbox, SandboxOptions
from sandbox.clock import parse_anchor

_ENDPOINTS_SHOWN = 8


def main() -> int:
    args = _parse()
    names = args.clients.split(",") if args.clients else list(RECIPES)
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        print(f"unknown clients: {', '.join(unknown)}; known: {', '.join(RECIPES)}")
        return 2
    envs_dir = Path(args.envs or tempfile.mkdtemp(prefix="crmsync-peer-envs-"))
    work_dir = Path(args.work or tempfile.mkdtemp(prefix="crmsync-peer-work-"))
    results = []
    recorder = ErrorRecorder()
    # A fixed day by default, so the figures never depend on the day of the run; ``today``
    # is the sandbox's own default (the story ends at the host's day, its clock at the host's).
    anchor = None if args.anchor == "today" else parse_anchor(args.anchor)
    options = SandboxOptions(
        seed=args.seed, scale=args.scale, state_dir=work_dir / "sandbox", anchor=anchor
    )
    with Sandbox(options) as sandbox:
        for crm, app in sandbox.apps.items():
            recorder.attach(crm, app)
        truth = json.loads((sandbox.info.ground_truth_dir / "summary.json").read_text())
        for name in names:
            recipe = RECIPES[name]
            stats = sandbox.apps[recipe.crm].stats
            stats.reset()
            result = _run_one(recipe, sandbox, envs_dir, work_dir, args, truth["counts"])
            result["calls"] = stats.snapshot()
            result["refused"] = [r.__dict__ for r in recorder.take()]
            _print_result(result)
            results.append(result)
    _print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"client environments: {envs_dir}\nclient outputs: {work_dir}")
    return 0


def _run_one(
    recipe: Recipe,
    sandbox: Sandbox,
    envs_dir: Path,
    work_dir: Path,
    args: argparse.Namespace,
    truth: dict[str, Any],
) -> dict[str, Any]:
    workdir = work_dir / recipe.name
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"client": recipe.name, "crm": recipe.crm, "streams": {}}
    started = time.monotonic()
    try:
        env = prepare_env(
            envs_dir / recipe.name, recipe.requirements, recipe.patches, workdir / "install.log"
        )
    except Exception as exc:  # a failed install is a result, not a crash of the check
        result["notes"] = [f"install failed: {exc}"]
        return result
    run = ClientRun(
        env=env,
        workdir=workdir,
        info=sandbox.info,
        credentials=sandbox.credentials,
        base_url=recipe.base_url(sandbox.info),
        timeout_s=args.timeout,
        options={"verified_sources": args.verified_sources},
    )
    try:
        counts = recipe.read(run)
    except Exception as exc:
        counts = {}
        run.failed = True
        run.notes.append(f"recipe failed: {exc!r}")
        traceback.print_exc(file=(workdir / "recipe.log").open("a"))
    live = truth[recipe.crm]
    for stream, objects in recipe.streams.items():
        if isinstance(objects, int):
            expected = objects
        else:
            expected = sum(live[o]["live"] for o in objects if o in live)
        # A client that finished without error and wrote nothing for a stream read 0 records.
        read = counts.get(stream, None if run.failed else 0)
        result["streams"][stream] = {"read": read, "truth": expected}
    extra = sorted(set(counts) - set(recipe.streams))
    result["other_streams"] = {s: counts[s] for s in extra}
    result["seconds"] = round(time.monotonic() - started, 1)
    result["notes"] = run.notes
    return result


def _print_result(result: dict[str, Any]) -> None:
    print(f"\n== {result['client']} ({result['crm']}), {result.get('seconds', '-')} s")
    for stream, figures in result["streams"].items():
        read = figures["read"]
        mark = "ok" if read == figures["truth"] else "DIFF"
        print(f"  {stream:<24} read {read!s:>7}  truth {figures['truth']:>7}  {mark}")
    if result.get("other_streams"):
        print(f"  other streams read: {result['other_streams']}")
    for note in result.get("notes", []):
        print(f"  note: {note}")
    calls = result.get("calls", {})
    endpoints = sorted(calls.get("endpoints", {}).items(), key=lambda kv: -kv[1])
    print(f"  API calls: {calls.get('total', 0)}")
    for endpoint, n in endpoints[:_ENDPOINTS_SHOWN]:
        print(f"    {n:>6}  {endpoint}")
    if len(endpoints) > _ENDPOINTS_SHOWN:
        print(f"    … {len(endpoints) - _ENDPOINTS_SHOWN} more endpoints")
    refused = result.get("refused", [])
    print(f"  requests answered 4xx/5xx: {len(refused)}")
    seen: dict[tuple[int, str, str], int] = {}
    for entry in refused:
        key = (entry["status"], entry["method"], entry["path"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= 2:
            query = f"?{entry['query']}" if entry["query"] else ""
            print(f"    {entry['status']} {entry['method']} {entry['path']}{query}")
            print(f"        {entry['body']}")
    repeated = {k: n for k, n in seen.items() if n > 2}
    for (status, method, path), n in repeated.items():
        print(f"    ({n}x in all) {status} {method} {path}")


def _print_table(results: list[dict[str, Any]]) -> None:
    print(
        "\n| client | CRM | streams read (= truth) / selected | records read / truth "
        "| API calls | 4xx/5xx |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        streams = r["streams"]
        read = sum(f["read"] or 0 for f in streams.values())
        truth = sum(f["truth"] for f in streams.values())
        got = sum(1 for f in streams.values() if f["read"] is not None)
        equal = sum(1 for f in streams.values() if f["read"] == f["truth"])
        print(
            f"| {r['client']} | {r['crm']} | {got} ({equal}) / {len(streams)} "
            f"| {read:,} / {truth:,} | {r.get('calls', {}).get('total', 0):,} "
            f"| {len(r.get('refused', []))} |"
        )


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", help="comma-separated recipe names (default: all)")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--anchor", default="2026-10-31", help="YYYY-MM-DD or today")
    parser.add_argument("--envs", help="folder for the client venvs (reused when given)")
    parser.add_argument("--work", help="folder for configs, catalogs and client output")
    parser.add_argument("--verified-sources", help="checkout of dlt-hub/verified-sources")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per client step")
    parser.add_argument("--json", help="also write the results as JSON here")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
