"""Time and peak memory of generating the synthetic company, per scale.

Usage: ``python bench/bench_generate.py [--large] [--save]``. Each scale runs in its own
process so the peak RSS (``resource.getrusage``) belongs to that scale alone.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _one(scale: str, save: bool) -> None:
    from sandbox.clock import DEFAULT_ANCHOR
    from sandbox.generator import generate
    from sandbox.persist import load_world, save_world

    started = time.perf_counter()
    world = generate(1, scale, DEFAULT_ANCHOR)
    elapsed = time.perf_counter() - started
    records = sum(
        len(t.rows) for crm in (world.salesforce, world.hubspot, world.zoho) for t in crm.values()
    )
    line = f"{scale:<7} records={records:>9,}  generate={elapsed:6.2f}s"
    if save:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            save_world(world, Path(tmp))
            saved = time.perf_counter() - started
            started = time.perf_counter()
            load_world(Path(tmp))
            loaded = time.perf_counter() - started
        line += f"  save={saved:5.2f}s  load={loaded:5.2f}s"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{line}  peak_rss={peak_mb:,.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also run the large scale")
    parser.add_argument("--save", action="store_true", help="also time save_world/load_world")
    parser.add_argument("--scale", help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()
    if args.scale:
        _one(args.scale, args.save)
        return
    scales = ["tiny", "small", "medium"] + (["large"] if args.large else [])
    for scale in scales:
        cmd = [sys.executable, __file__, "--scale", scale] + (["--save"] if args.save else [])
        subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parent.parent)


if __name__ == "__main__":
    main()
