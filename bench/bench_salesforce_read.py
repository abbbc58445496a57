"""Full read of 100,000 Leads through simple-salesforce against the emulator, in records/s.

Run: ``.venv/bin/python bench/bench_salesforce_read.py``
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests
from simple_salesforce import Salesforce

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.salesforce import SalesforceEmulator
from sandbox.tls import ensure_tls_files
from sandbox.world import World

RECORDS = 100_000
SOQL = (
    "SELECT Id, FirstName, LastName, Company, Email, Status, LeadSource, OwnerId, "
    "CreatedDate, SystemModstamp, IsDeleted FROM Lead WHERE SystemModstamp >= "
    "2020-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
)


def build_world() -> World:
    world = World.empty(1, "tiny", DEFAULT_ANCHOR)
    table = world.salesforce["Lead"]
    user = "0055g0000000000AAA"
    start = DEFAULT_ANCHOR - timedelta(days=365)
    for i in range(RECORDS):
        when = start + timedelta(seconds=300 * i)
        table.insert(
            {
                "Id": world.mint("salesforce", "Lead"), "IsDeleted": False, "CreatedDate": when,
                "CreatedById": user, "LastModifiedDate": when, "LastModifiedById": user,
                "SystemModstamp": when, "FirstName": f"First{i}", "LastName": f"Last{i}",
                "Name": f"First{i} Last{i}", "Company": f"Company {i % 500}",
                "Email": f"lead{i}@example.com", "Status": "Open - Not Contacted",
                "LeadSource": "Web", "OwnerId": user, "IsConverted": False,
            }
        )  # fmt: skip
    return world


def main() -> None:
    tls = ensure_tls_files(Path(tempfile.mkdtemp(prefix="sf-bench-")))
    app = SalesforceEmulator(
        build_world(), ManualClock(DEFAULT_ANCHOR), FaultPlan(), SandboxCredentials.for_seed(1)
    )
    server = EmulatorServer(app, tls)
    base = server.start()
    session = requests.Session()
    session.verify = str(tls.ca_bundle)
    session.trust_env = False  # keep REQUESTS_CA_BUNDLE from replacing the sandbox CA
    try:
        sf = Salesforce(
            instance_url=base, session_id=app.issue_token(), session=session, version="59.0"
        )
        started = time.perf_counter()
        count = sum(1 for _ in sf.query_all_iter(SOQL))
        elapsed = time.perf_counter() - started
    finally:
        session.close()
        server.stop()
    assert count == RECORDS, count
    print(
        f"salesforce REST read: {count} records in {elapsed:.2f} s = {count / elapsed:,.0f} rec/s"
    )


if __name__ == "__main__":
    main()
