"""Full read of 100,000 Zoho Leads through plain ``requests`` (page_token paging).

Run: ``.venv/bin/python bench/bench_zoho_read.py`` — prints records/s.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.tls import ensure_tls_files
from sandbox.world import World
from sandbox.zoho import ZohoEmulator

RECORDS = 100_000
FIELDS = "Last_Name,First_Name,Email,Company,Lead_Status,Owner,Created_Time,Modified_Time"


def build_world() -> World:
    world = World.empty(1, "large", DEFAULT_ANCHOR)
    users = world.zoho["users"]
    owner = world.mint("zoho", "users")
    users.insert(
        {
            "id": owner,
            "first_name": "Ada",
            "last_name": "Admin",
            "email": "ada@x.example",
            "profile": "Administrator",
            "status": "active",
        }
    )
    leads = world.zoho["Leads"]
    fields = [f.name for f in leads.schema.fields]
    start = DEFAULT_ANCHOR - timedelta(days=365)
    for i in range(RECORDS):
        record = dict.fromkeys(fields)
        when = start + timedelta(seconds=300 * i)
        record.update(
            id=world.mint("zoho", "Leads"),
            First_Name=f"F{i}",
            Last_Name=f"L{i}",
            Email=f"lead{i}@example.com",
            Company=f"Co {i % 997}",
            Lead_Status="Contacted",
            Owner=owner,
            Created_By=owner,
            Modified_By=owner,
            Created_Time=when,
            Modified_Time=when,
            Converted__s=False,
        )
        leads.insert(record)
    return world


def main() -> None:
    world = build_world()
    creds = SandboxCredentials.for_seed(1)
    app = ZohoEmulator(world, ManualClock(DEFAULT_ANCHOR), FaultPlan(), creds)
    with tempfile.TemporaryDirectory() as tmp:
        tls = ensure_tls_files(Path(tmp))
        server = EmulatorServer(app, tls)
        base = server.start()
        session = requests.Session()
        session.verify = str(tls.ca_bundle)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        try:
            token = session.post(
                f"{base}/oauth/v2/token",
                params={
                    "grant_type": "refresh_token",
                    "client_id": creds.zoho_client_id,
                    "client_secret": creds.zoho_client_secret,
                    "refresh_token": creds.zoho_refresh_token,
                },
            ).json()["access_token"]
            session.headers["Authorization"] = f"Zoho-oauthtoken {token}"
            params = {"fields": FIELDS, "per_page": 200, "sort_by": "id", "sort_order": "asc"}
            started = time.perf_counter()
            count, calls, page_token = 0, 0, None
            while True:
                query = {**params, "page_token": page_token} if page_token else params
                response = session.get(f"{base}/crm/v8/Leads", params=query)
                response.raise_for_status()
                body = response.json()
                calls += 1
                count += len(body["data"])
                if not body["info"]["more_records"]:
                    break
                page_token = body["info"]["next_page_token"]
            elapsed = time.perf_counter() - started
        finally:
            session.close()
            server.stop()
    assert count == RECORDS, count
    print(
        f"zoho: read {count} records in {calls} calls, {elapsed:.2f} s "
        f"= {count / elapsed:,.0f} records/s"
    )


if __name__ == "__main__":
    main()
