"""Peer-client check of the events endpoint: Segment's and RudderStack's own Python libraries
send events to ``POST /v1/batch``; the store holds each event once, with its fields.

    PYTHONPATH=. python bench/peers/events_clients.py [--visitors 500] [--envs DIR]
        [--work DIR] [--json OUT]

Each library is installed, at a pinned version, into a throwaway virtual environment (under
``--envs``); it is given only the endpoint's URL and the source's write key, and keeps its
own defaults (RudderStack's gzips every batch, Segment's does not). Both send the same
story per visitor (``drivers/analytics_send.py``: page, campaign click, identify, alias),
twice. The endpoint runs in this process; ``crmsync sync`` then reads its spool into a
SQLite store, and the check compares the store with what was sent. Not part of the test
suite: it needs the package registry.
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from envs import prepare_env
from pydantic import SecretStr

from connectors.events import EventsConnector, EventsSettings

KEY = "wk_peer_check_0123456789"
_DRIVER = Path(__file__).resolve().parent / "drivers" / "analytics_send.py"
# name -> (requirement, module, the prefix of its message ids)
CLIENTS = {
    "segment-analytics-python": ("segment-analytics-python==2.4.0", "segment.analytics", "seg"),
    "rudder-sdk-python": ("rudder-sdk-python==2.1.9", "rudderstack.analytics", "rud"),
}
_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    args = _parse()
    envs = Path(args.envs or tempfile.mkdtemp(prefix="crmsync-peer-envs-"))
    work = Path(args.work or tempfile.mkdtemp(prefix="crmsync-peer-events-"))
    spool = work / "spool"
    connector = EventsConnector("web", EventsSettings(directory=spool, write_key=SecretStr(KEY)))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(connector.ingest_app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    sent: dict[str, Any] = {}
    try:
        for name, (requirement, module, prefix) in CLIENTS.items():
            env = prepare_env(envs / name, (requirement,), (), work / f"{name}-install.log")
            command = [str(env.python), str(_DRIVER), module, f"http://127.0.0.1:{port}", KEY]
            done = subprocess.run(
                [*command, prefix, str(args.visitors)],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            last = (done.stdout.strip().splitlines() or ["{}"])[-1]
            sent[name] = {"exit": done.returncode, **json.loads(last)}
            if done.returncode:
                sent[name]["stderr"] = done.stderr[-500:]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    store = _sync(work, spool)
    results = {
        name: {**sent[name], **_compare(store, prefix, args.visitors)}
        for name, (_, _, prefix) in CLIENTS.items()
    }
    for name, result in results.items():
        print(f"== {name}: {json.dumps(result)}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    ok = all(
        r["exit"] == 0 and not r.get("error_count") and r["mismatches"] == []
        for r in results.values()
    )
    print("all events stored once, as sent" if ok else "MISMATCH")
    return 0 if ok else 1


def _sync(work: Path, spool: Path) -> Path:
    """``crmsync sync`` of the spool into a SQLite store; the store's path."""
    store = work / "store.sqlite"
    store.unlink(missing_ok=True)
    config = work / "crmsync.yaml"
    source = {"name": "web", "kind": "events", "directory": str(spool)}
    config.write_text(yaml.safe_dump({"store": {"url": f"sqlite:///{store}"}, "sources": [source]}))
    command = [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"]
    subprocess.run(command, cwd=_ROOT, check=True, capture_output=True, timeout=600)
    return store


def _compare(store: Path, prefix: str, visitors: int) -> dict[str, Any]:
    """What the store holds of one library's events, and how it differs from what was sent."""
    with sqlite3.connect(store) as db:
        rows = db.execute(
            "select remote_id, event_type, anonymous_id, user_id, previous_id, email, "
            "utm_source, utm_medium, utm_campaign, channel, occurred_at from events "
            "where remote_id like ? order by remote_id",
            (f"{prefix}-%",),
        ).fetchall()
    got = {r[0]: r[1:] for r in rows}
    mismatches: list[str] = []
    for n in range(visitors):
        anonymous, user = f"{prefix}-anon-{n}", f"{prefix}-user-{n}"
        email = f"visitor{n}@{prefix}.example"
        expected = {
            f"{prefix}-page-{n}": ("page", anonymous, None, None, None, None, None, None),
            f"{prefix}-track-{n}": (
                "track",
                anonymous,
                None,
                None,
                None,
                "newsletter",
                "email",
                "autumn-offer",
            ),
            f"{prefix}-identify-{n}": ("identify", anonymous, user, None, email, None, None, None),
            f"{prefix}-alias-{n}": ("alias", None, user, anonymous, None, None, None, None),
        }
        for message, fields in expected.items():
            row = got.get(message)
            if row is None or row[:8] != fields:
                mismatches.append(f"{message}: stored {row}, sent {fields}")
    track_channels = sorted({r[9] for r in rows if r[1] == "track"})
    return {
        "stored": len(rows),
        "expected": 4 * visitors,
        "track_channels": track_channels,
        "mismatches": mismatches[:5],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--envs", help="keep the libraries' venvs here between runs")
    parser.add_argument("--work", help="the spool, the store and the install logs")
    parser.add_argument("--json", help="write the results to this file")
    return parser.parse_args()


if __name__ == "__main__":
    raise SystemExit(main())
