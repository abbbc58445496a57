"""CLI start-up benchmark: wall time of ``crmsync --help`` and ``crmsync status``.

    python bench/bench_startup.py [--runs 9] [--workspace DIR] [--against DIR] [--json]

Each command runs ``--runs`` times as a fresh process (the ``crmsync`` script next to this
Python, else ``python -m sync``); the median wall time is reported with the spread, and the
median CPU time (user + system) of the process, which a busy machine inflates far less.
``status`` reads the store of a tiny demo workspace, made once with ``crmsync demo --scale
tiny`` (not timed) unless ``--workspace`` already holds one. Floors (issue 21): ``--help``
≤ 0.25 s, ``status`` ≤ 0.5 s on the 2-core machine. The load average is printed: on a
busy machine the figures grow with it.

``--against DIR`` times another checkout of crmsync too (say a ``git worktree`` of the
commit before a change), its runs alternating with this checkout's, so that both see the
same load: each as ``python -m sync`` from its own folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLOORS_S = {"--help": 0.25, "status": 0.5}


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("crmsync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sync"]


# From compiled bytecode, as an installed crmsync runs: a PYTHONDONTWRITEBYTECODE in the
# environment would make every run compile crmsync's modules again (~0.1 s).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(
    command: list[str], runs: int, tree: Path | None = None
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system, of the child process) of each run; from the
    checkout ``tree`` (its folder first on the path) when given."""
    env = _ENV if tree is None else {**_ENV, "PYTHONPATH": str(tree)}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tree,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def _row(name: str, times: list[float], cpus: list[float]) -> dict[str, Any]:
    median = statistics.median(times)
    return {
        "command": f"crmsync {name}",
        "median_s": round(median, 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "floor_s": FLOORS_S[name],
        "met": median <= FLOORS_S[name],
    }


def bench(workspace: Path, runs: int, against: Path | None = None) -> dict[str, Any]:
    cli = _cli()
    config = workspace / "crmsync.yaml"
    if not config.exists():
        subprocess.run(
            [*cli, "demo", "--scale", "tiny", "--workspace", str(workspace), "--json"]
            + ["--anchor", "2026-10-31"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    commands = {"--help": [*cli, "--help"], "status": [*cli, "status", "--config", str(config)]}
    # One untimed run each, so the first timed run does not pay for a cold file cache.
    for command in commands.values():
        _timed(command, 1)
    results, other = [], []
    loads = [os.getloadavg()[0]]
    if against is None:
        for name, command in commands.items():
            results.append(_row(name, *_timed(command, runs)))
    else:
        here = Path(__file__).resolve().parents[1]
        for name, command in commands.items():
            module = [sys.executable, "-m", "sync", *command[len(cli) :]]
            _timed(module, 1, against)  # its bytecode compiled, its files cached
            ours: tuple[list[float], list[float]] = ([], [])
            theirs: tuple[list[float], list[float]] = ([], [])
            for run in range(runs):  # alternating, which goes first too
                pair = [(here, ours), (against, theirs)]
                for tree, into in pair if run % 2 == 0 else pair[::-1]:
                    wall, cpu = _timed(module, 1, tree)
                    into[0].extend(wall)
                    into[1].extend(cpu)
                    loads.append(os.getloadavg()[0])
            results.append(_row(name, *ours))
            other.append(_row(name, *theirs))
    loads.append(os.getloadavg()[0])
    report: dict[str, Any] = {
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "load_range": [round(min(loads), 1), round(max(loads), 1)],
        "results": results,
    }
    if against is not None:
        report["against"] = {"checkout": str(against), "results": other}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--against", type=Path, help="another checkout, timed alternately")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="crmsync-startup-"))
    try:
        report = bench(workspace, args.runs, args.against)
    finally:
        if args.workspace is None:
            shutil.rmtree(workspace, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    low, high = report["load_range"]
    print(
        f"{report['runs']} runs each, {report['cpus']} CPUs, load {low}-{high} "
        f"(now {report['load_average']})"
    )
    shown = [("", report["results"])]
    if "against" in report:
        shown = [("this checkout: ", report["results"])]
        shown.append((f"{report['against']['checkout']}: ", report["against"]["results"]))
    for label, rows in shown:
        for row in rows:
            verdict = "met" if row["met"] else "NOT met"
            print(
                f"{label}{row['command']:<18} median {row['median_s']:.3f} s "
                f"(min {row['min_s']:.3f}, max {row['max_s']:.3f}), "
                f"CPU {row['cpu_median_s']:.3f} s; floor {row['floor_s']} s {verdict}"
            )


if __name__ == "__main__":
    main()
