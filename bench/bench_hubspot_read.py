"""Full read of 100,000 HubSpot contacts through hubspot-api-client, over HTTPS.

Run: ``.venv/bin/python bench/bench_hubspot_read.py [records] [--in-process]``; prints
records/s. By default the emulator runs in a child process, as the sandbox does when it
is served on its own, so client and server share the two cores without sharing a GIL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from hubspot import HubSpot

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.hubspot import HubSpotEmulator
from sandbox.tls import ensure_tls_files
from sandbox.world import World


def build_world(count: int) -> World:
    world = World.empty(1, "large", DEFAULT_ANCHOR)
    table = world.hubspot["contacts"]
    for i in range(count):
        rid = str(100_001 + i)
        table.insert(
            {
                "id": rid,
                "hs_object_id": int(rid),
                "email": f"person{i}@example.com",
                "firstname": f"First{i}",
                "lastname": f"Last{i % 977}",
                "createdate": DEFAULT_ANCHOR - timedelta(minutes=count - i),
                "lastmodifieddate": DEFAULT_ANCHOR - timedelta(seconds=count - i),
            }
        )
    return world


def _serve(count: int, tls_dir: str, conn: Connection) -> None:
    """Child process: build the world, serve it, report the URL, wait to be told to stop."""
    world = build_world(count)
    credentials = SandboxCredentials.for_seed(1)
    app = HubSpotEmulator(world, ManualClock(), FaultPlan("none"), credentials)
    server = EmulatorServer(app, ensure_tls_files(Path(tls_dir)))
    conn.send(server.start())
    conn.recv()
    server.stop()


def read_all(base: str, ca_bundle: Path, token: str) -> tuple[int, float]:
    client = HubSpot(access_token=token, host=base, ssl_ca_cert=str(ca_bundle))
    started = time.perf_counter()
    records = client.crm.contacts.get_all()
    return len(records), time.perf_counter() - started


def main(count: int = 100_000, in_process: bool = False) -> float:
    """Read ``count`` contacts; the server runs in a child process unless ``in_process``."""
    token = SandboxCredentials.for_seed(1).hubspot_private_app_token
    with tempfile.TemporaryDirectory() as tmp:
        tls = ensure_tls_files(Path(tmp))
        if in_process:
            world = build_world(count)
            app = HubSpotEmulator(
                world, ManualClock(), FaultPlan("none"), SandboxCredentials.for_seed(1)
            )
            server = EmulatorServer(app, tls)
            try:
                read, elapsed = read_all(server.start(), tls.ca_bundle, token)
            finally:
                server.stop()
        else:
            parent, child = multiprocessing.Pipe()
            process = multiprocessing.Process(target=_serve, args=(count, tmp, child))
            process.start()
            try:
                read, elapsed = read_all(parent.recv(), tls.ca_bundle, token)
            finally:
                parent.send("stop")
                process.join(timeout=10)
    if read != count:
        raise SystemExit(f"read {read} records, expected {count}")
    rate = count / elapsed
    mode = "same process" if in_process else "server in a child process"
    print(f"hubspot ({mode}): read {count} contacts in {elapsed:.2f} s = {rate:,.0f} records/s")
    return rate


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("records", nargs="?", type=int, default=100_000)
    parser.add_argument("--in-process", action="store_true", help="serve from this process")
    args = parser.parse_args()
    main(args.records, args.in_process)
