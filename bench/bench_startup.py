"""CLI start-up benchmark: wall time of ``crmsync --help`` and ``crmsync status``.

    python bench/bench_startup.py [--runs 9] [--workspace DIR] [--json]

Each command runs ``--runs`` times as a fresh process (the ``crmsync`` script next to this
Python, else ``python -m sync``); the median wall time is reported with the spread, and the
median CPU time (user + system) of the process, which a busy machine inflates far less.
``status`` reads the store of a tiny demo workspace, made once with ``crmsync demo --scale
tiny`` (not timed) unless ``--workspace`` already holds one. Floors (issue 21): ``--help``
≤ 0.25 s, ``status`` ≤ 0.5 s on the 2-core machine. The load average is printed: on a
busy machine the figures grow with it.
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


def _timed(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system, of the child process) of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def bench(workspace: Path, runs: int) -> dict[str, Any]:
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
    results = []
    for name, command in commands.items():
        times, cpus = _timed(command, runs)
        median = statistics.median(times)
        results.append(
            {
                "command": f"crmsync {name}",
                "median_s": round(median, 3),
                "min_s": round(min(times), 3),
                "max_s": round(max(times), 3),
                "cpu_median_s": round(statistics.median(cpus), 3),
                "floor_s": FLOORS_S[name],
                "met": median <= FLOORS_S[name],
            }
        )
    return {
        "runs": runs,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="crmsync-startup-"))
    try:
        report = bench(workspace, args.runs)
    finally:
        if args.workspace is None:
            shutil.rmtree(workspace, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['runs']} runs each, {report['cpus']} CPUs, load {report['load_average']}")
    for row in report["results"]:
        verdict = "met" if row["met"] else "NOT met"
        print(
            f"{row['command']:<18} median {row['median_s']:.3f} s "
            f"(min {row['min_s']:.3f}, max {row['max_s']:.3f}), CPU {row['cpu_median_s']:.3f} s; "
            f"floor {row['floor_s']} s {verdict}"
        )


if __name__ == "__main__":
    main()
