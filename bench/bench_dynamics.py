"""Dynamics 365 sync benchmark: a full and an incremental sync of the DACH subsidiary from
the sandbox's Dataverse emulator into SQLite, against the issue's floors.

    python bench/bench_dynamics.py [--scale medium] [--seed 1] [--rounds 5] [--json]

The measurement is ``bench_sync.run`` for the ``dynamics`` source (the sandbox in its own
process, the sync in this one, run as the daemon runs it: the store's engine kept for the
whole benchmark, a connector built for each run). Floors: >= 3,000 records/s; API calls
within 10% of the minimum; an incremental sync after 1% of the records changed costs <= 5%
of the full sync's time. The full sync runs ``--rounds`` times, each into an empty store,
and the incremental ``--rounds`` times, each after another 1% changed; the share is the median
incremental's time over the median full sync's (one run of each is as much the machine's
noise as the code's: 4.5% and 7.3% in two runs back to back), and every round is printed.

The minimum is counted per table: each of the 13 tables the benchmark lists needs at least
one call, and one more per further 5,000 live rows (Dataverse's largest page), so it is
the sum over the tables of ceil(live rows / 5,000), never fewer than one call per table.
The calls counted against it are all the calls of the run, the signpost's (the run's
server-time call, outside every stream) included.
"""

from __future__ import annotations

import argparse
import json

from bench_sync import run  # bench/ is the script's folder, first on its path

FLOOR_RECORDS_PER_S = 3_000
CALLS_OVER_MINIMUM = 0.10
INCREMENTAL_SHARE = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each (medians)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.scale, args.seed, ["dynamics"], rounds=args.rounds)["dynamics"]
    full, incremental = result["full"], result["incremental_after_1pct"]
    over = full["calls_total"] / max(full["minimum_calls"], 1) - 1
    floors = {
        "records_per_s": full["records_per_s"] >= FLOOR_RECORDS_PER_S,
        "calls_within_10pct": over <= CALLS_OVER_MINIMUM,
        "incremental_within_5pct": incremental["time_share"] <= INCREMENTAL_SHARE,
    }
    if args.json:
        print(json.dumps({**result, "floors_met": floors}))
        return
    print(f"dynamics, scale {args.scale}, seed {args.seed}")
    print(
        f"  full: {full['records']:,} records in {full['seconds']:.1f} s = "
        f"{full['records_per_s']:,.0f} records/s, {full['cpu_us_per_record']:.0f} µs CPU/record, "
        f"{full['calls_total']} calls, {full['calls']} of them in streams "
        f"(minimum {full['minimum_calls']}, {over:+.1%})"
    )
    print(
        f"  incremental after 1%: {incremental['records']:,} records in "
        f"{incremental['seconds']:.3f} s ({incremental['time_share']:.1%} of full), "
        f"{incremental['calls_total']} calls, {incremental['calls']} in streams"
    )
    fulls, incs = full["rounds_seconds"], incremental["rounds_seconds"]
    print(f"  rounds: full {', '.join(f'{s:.3f}' for s in fulls)} s (median of {len(fulls)})")
    print(f"          incremental {', '.join(f'{s:.3f}' for s in incs)} s (median of {len(incs)})")
    for name, met in floors.items():
        print(f"  {name}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
