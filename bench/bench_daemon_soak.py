"""Soak benchmark: the daemon on an accelerated schedule for a long time, watched from outside.

    python bench/bench_daemon_soak.py [--minutes 60] [--every 2s] [--sample 30]
                                      [--churn-every 60] [--scale small] [--json]

The sandbox runs in its own process (``crmsync sandbox serve``) and is churned every
``--churn-every`` seconds, so syncs keep finding work; ``crmsync daemon`` runs in another
process with every source due every ``--every``. Every ``--sample`` seconds this script
reads the daemon's resident memory, open file descriptors and threads (psutil) and its
``/metrics`` counters. At the end it sends SIGTERM and times the clean stop.

Issue floor: over one hour, memory stays flat and open files and threads do not grow.
"Flat" is judged on the second half of the run (after caches and the first full sync):
the RSS growth between the first and last sample of that half is printed.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import requests
import yaml
from sandbox_process import served_sandbox


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _metrics(port: int) -> dict[str, float]:
    totals: dict[str, float] = {}
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name_labels, value = line.rsplit(" ", 1)
        name = name_labels.split("{", 1)[0]
        totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def _write_config(info: dict[str, Any], directory: Path, every: str) -> Path:
    generated = yaml.safe_load(Path(info["config_path"]).read_text())
    config = {
        "store": {"url": f"sqlite:///{directory / 'soak.sqlite'}"},
        "secrets_file": str(Path(info["config_path"]).parent / "secrets.env"),
        "sources": generated["sources"],
        "schedule": {"default": {"every": every}, "stop_timeout": "60s"},
    }
    path = directory / "crmsync.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _sample(proc: psutil.Process, port: int, started: float) -> dict[str, Any]:
    with proc.oneshot():
        rss = proc.memory_info().rss
        fds = proc.num_fds()
        threads = proc.num_threads()
    try:
        counters = _metrics(port)
    except requests.RequestException:
        counters = {}
    return {
        "t_s": round(time.monotonic() - started, 1),
        "rss_mb": round(rss / 2**20, 1),
        "open_fds": fds,
        "threads": threads,
        "runs": int(counters.get("crmsync_sync_runs_total", 0)),
        "failures": int(counters.get("crmsync_sync_failures_total", 0)),
        "records": int(counters.get("crmsync_sync_records_total", 0)),
    }


def _churn(state_dir: Path, changes: int) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "sync", "sandbox", "churn", "--state-dir", str(state_dir)]
        + ["--changes", str(changes), "--json"],
        capture_output=True,
    )
    return done.returncode == 0


def soak(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    state_dir = workdir / "sandbox"
    with served_sandbox(args.scale, args.seed, state_dir) as info:
        config = _write_config(info, workdir, args.every)
        port = _free_port()
        log = (workdir / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "sync", "daemon", "--config", str(config)]
            + ["--health-port", str(port), "--json-logs"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc = psutil.Process(daemon.pid)
        started = time.monotonic()
        end = started + args.minutes * 60
        next_sample = started + 5
        next_churn = started + args.churn_every
        samples: list[dict[str, Any]] = []
        churn_failures = 0
        try:
            while time.monotonic() < end and daemon.poll() is None:
                now = time.monotonic()
                if now >= next_sample:
                    samples.append(_sample(proc, port, started))
                    if not args.json:
                        print(json.dumps(samples[-1]), flush=True)
                    next_sample += args.sample
                if now >= next_churn:
                    churn_failures += not _churn(state_dir, args.churn_changes)
                    next_churn += args.churn_every
                time.sleep(0.5)
            samples.append(_sample(proc, port, started))
            stop_started = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=120)
            stop_s = time.monotonic() - stop_started
        finally:
            if daemon.poll() is None:
                daemon.kill()
            log.close()
    return {**_summary(args, samples, code, stop_s), "churn_failures": churn_failures}


def _summary(
    args: argparse.Namespace, samples: list[dict[str, Any]], code: int, stop_s: float
) -> dict[str, Any]:
    half = [s for s in samples if s["t_s"] >= samples[-1]["t_s"] / 2] or samples
    return {
        "minutes": args.minutes,
        "every": args.every,
        "scale": args.scale,
        "samples": len(samples),
        "runs": samples[-1]["runs"],
        "failures": samples[-1]["failures"],
        "records": samples[-1]["records"],
        "rss_mb_first": samples[0]["rss_mb"],
        "rss_mb_second_half_start": half[0]["rss_mb"],
        "rss_mb_last": samples[-1]["rss_mb"],
        "rss_mb_max": max(s["rss_mb"] for s in samples),
        "rss_growth_second_half_mb": round(half[-1]["rss_mb"] - half[0]["rss_mb"], 1),
        "fds_min_max": [min(s["open_fds"] for s in samples), max(s["open_fds"] for s in samples)],
        "fds_second_half_start_end": [half[0]["open_fds"], half[-1]["open_fds"]],
        "threads_min_max": [min(s["threads"] for s in samples), max(s["threads"] for s in samples)],
        "threads_second_half_start_end": [half[0]["threads"], half[-1]["threads"]],
        "sigterm_exit_code": code,
        "sigterm_stop_s": round(stop_s, 2),
        "trace": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--every", default="2s", help="Schedule of every source.")
    parser.add_argument("--sample", type=float, default=30, help="Seconds between samples.")
    parser.add_argument("--churn-every", type=float, default=60, help="Seconds between churns.")
    parser.add_argument("--churn-changes", type=int, default=200)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="Print only the JSON summary.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crmsync-soak-") as tmp:
        result = soak(args, Path(tmp))
    if args.json:
        print(json.dumps(result))
        return
    keys = [k for k in result if k != "trace"]
    width = max(len(k) for k in keys)
    for key in keys:
        print(f"{key:<{width}}  {result[key]}")


if __name__ == "__main__":
    main()
