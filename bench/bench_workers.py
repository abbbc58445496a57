"""Scale-out benchmark: a full sync of the three sandbox CRMs by 1, 2 and 3 workers.

    python bench/bench_workers.py --postgres-url postgresql://USER@HOST/DB
                                  [--scale medium] [--seed 1] [--workers 1,2,3] [--json]

(``--postgres-url`` defaults to $CRMSYNC_TEST_POSTGRES_URL.) The sandbox runs in its own
process, as for a user. For each worker count: a fresh PostgreSQL schema, the queue
installed, N ``crmsync worker`` processes started and idle, then one job per (source,
stream) deferred (24 jobs); the clock runs from the deferral until the last job has
succeeded. Records/s = records read ÷ that time. The machine's load average is printed
before each run: other processes share the CPU and move the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sandbox_process import served_sandbox
from sqlalchemy import create_engine, text

from sync.config import load_config
from sync.store import open_store
from sync.workers.app import build_app, source_jobs
from sync.workers.queue import defer_jobs, list_jobs
from sync.workers.schema import prepare_store


@contextmanager
def _schema(base_url: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def _one_run(info: dict[str, Any], work: Path, base_url: str, count: int) -> dict[str, Any]:
    generated = yaml.safe_load(Path(info["config_path"]).read_text())
    with _schema(base_url) as url:
        config_path = work / f"workers{count}.yaml"
        config_path.write_text(
            yaml.safe_dump(
                {
                    "store": {"url": url},
                    "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
                    "sources": generated["sources"],
                    "workers": {"enabled": True, "poll_interval": "0.5s"},
                }
            )
        )
        config = load_config(config_path)
        engine = open_store(url, migrate_schema=False)
        prepare_store(engine)
        logs = [work / f"w{count}-{n}.log" for n in range(1, count + 1)]
        procs = []
        try:
            for n, log in enumerate(logs, 1):
                with open(log, "wb") as handle:
                    procs.append(
                        subprocess.Popen(
                            [sys.executable, "-m", "sync", "worker", "-c", str(config_path)]
                            + ["--name", f"w{n}"],
                            stderr=handle,
                        )
                    )
            _wait(lambda: all("taking jobs" in p.read_text() for p in logs), 120, "workers")
            load = os.getloadavg()[0]
            planned = [job for s in config.sources for job in source_jobs(config, s)]
            app = build_app(config, periodic=False)
            app.open()
            try:
                started = time.perf_counter()
                defer_jobs(app, planned)
            finally:
                app.close()

            def done() -> bool:
                jobs = list_jobs(engine, ("todo", "doing", "succeeded", "failed"))
                return all(j.status in ("succeeded", "failed") for j in jobs)

            _wait(done, 1800, "the jobs")
            seconds = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(timeout=60)
        with engine.connect() as conn:
            records, calls, busy, longest = conn.execute(
                text(
                    "SELECT sum(fetched), sum(api_calls), sum(seconds), max(seconds) "
                    "FROM sync_run_streams"
                )
            ).one()
            slowest = conn.execute(
                text(
                    "SELECT r.source || '/' || s.stream FROM sync_run_streams s "
                    "JOIN sync_runs r ON r.id = s.run_id ORDER BY s.seconds DESC LIMIT 1"
                )
            ).scalar()
        jobs = [j for j in list_jobs(engine, ("succeeded", "failed")) if j.task == "crmsync.sync"]
        engine.dispose()
        by_worker = {
            f"w{log.stem.split('-')[1]}": log.read_text().count(": succeeded on worker")
            for log in logs
        }
    return {
        "workers": count,
        "jobs": len(jobs),
        "failed": sum(j.status == "failed" for j in jobs),
        "records": int(records or 0),
        "api_calls": int(calls or 0),
        "seconds": seconds,
        "records_per_s": (records or 0) / seconds,
        "jobs_per_worker": by_worker,
        "stream_seconds_total": float(busy or 0),
        "longest_stream": slowest,
        "longest_stream_seconds": float(longest or 0),
        "load_before": load,
    }


def run(scale: str, seed: int, counts: list[int], base_url: str) -> dict[str, Any]:
    results: dict[str, Any] = {"scale": scale, "seed": seed, "cpus": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with served_sandbox(scale, seed, work / "sandbox") as info:
            for count in counts:
                results["runs"].append(_one_run(info, work, base_url, count))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=os.environ.get("CRMSYNC_TEST_POSTGRES_URL"))
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.postgres_url:
        parser.error("give --postgres-url or set CRMSYNC_TEST_POSTGRES_URL")
    counts = [int(c) for c in args.workers.split(",")]
    results = run(args.scale, args.seed, counts, args.postgres_url)
    print(f"scale {args.scale}, seed {args.seed}, {results['cpus']} CPUs")
    print(
        "workers  jobs  records    seconds  records/s  API calls  load before  "
        "sum of job time  longest job  jobs per worker"
    )
    base = results["runs"][0]["records_per_s"] if results["runs"] else 0
    for r in results["runs"]:
        speedup = r["records_per_s"] / base if base else 0
        print(
            f"{r['workers']:>7}  {r['jobs']:>4}  {r['records']:>7,}  {r['seconds']:>9.1f}  "
            f"{r['records_per_s']:>9,.0f}  {r['api_calls']:>9,}  {r['load_before']:>11.1f}  "
            f"{r['stream_seconds_total']:>13.0f} s  {r['longest_stream_seconds']:>9.0f} s  "
            f"{r['jobs_per_worker']} (x{speedup:.2f}; longest: {r['longest_stream']})"
        )
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
