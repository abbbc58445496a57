"""A generated tiny world reads back in full through simple-salesforce."""

from __future__ import annotations

import pytest
import requests
from conftest import Org
from simple_salesforce import Salesforce

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.salesforce import SalesforceEmulator
from sandbox.tls import ensure_tls_files


def test_full_read_of_generated_world(
    org: Org, http: requests.Session, tmp_path_factory: pytest.TempPathFactory
) -> None:
    try:
        from sandbox.generator import generate
    except ImportError as exc:
        pytest.skip(f"the world generator is not importable yet: {exc}")
    world = generate(7, "tiny", DEFAULT_ANCHOR)
    app = SalesforceEmulator(world, ManualClock(DEFAULT_ANCHOR), FaultPlan(), org.credentials)
    server = EmulatorServer(app, ensure_tls_files(org.ca_bundle.parent))
    base = server.start()
    try:
        sf = Salesforce(
            instance_url=base, session_id=app.issue_token(), session=http, version="59.0"
        )
        for name, table in world.salesforce.items():
            ids = [r["Id"] for r in sf.query_all_iter(f"SELECT Id FROM {name}")]
            assert len(ids) == len(table), name
            assert len(set(ids)) == len(ids), name
    finally:
        server.stop()
