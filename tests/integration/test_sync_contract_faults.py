"""The sync contract under injected faults: the same store as a clean sync, equal to the
sandbox's ground truth, with every kind of fault met on the way.

The faults meet the connector (its retries, timeouts, token refreshes), not the store, which
sees the same writes as in a clean sync: every CRM runs on SQLite, and HubSpot, whose sync
makes the most requests and refreshes its OAuth token, on PostgreSQL too. Resuming, upserts
and deletes, which do depend on the database, run on both for every CRM
(``test_sync_contract.py``, ``test_sync_contract_kill.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.core.http import pinned_session
from sandbox import Sandbox
from sandbox.faults import FAILURE_KINDS
from tests.integration.contract_suite import (
    CRMS,
    assert_store_matches_world,
    require,
    run_sync,
    store_url,
    tiny_sandbox,
)
from tests.integration.sync_support import store_snapshot, write_config

# Share of the distinct requests that fail once, the six kinds in turn: a tiny Salesforce
# sync makes about 13 distinct requests (Composite Batch), HubSpot about 35, Zoho about 19,
# so each run meets every kind at least once with room to spare. Answers are held 2.5 s
# against a 2 s client timeout, so the "timeout" faults are timeouts for the connector.
FAILURE_RATES = {
    "salesforce": 0.75,
    "hubspot": 0.4,
    "zoho": 0.5,
    "dynamics": 0.5,
    "sugarcrm": 0.5,
    "keap": 0.5,
    "oracle": 0.75,
}
SLOW_S, TIMEOUT_S = 2.5, 2
CASES = [(crm, "sqlite") for crm in CRMS] + [("hubspot", "postgresql")]


@pytest.fixture(scope="module")
def clean_sandbox() -> Iterator[Sandbox]:
    """The sandbox without faults, shared by the module: the clean syncs only read it."""
    with tiny_sandbox() as running:
        yield running


def _flaky_source(sandbox: Sandbox, config: Path, crm: str) -> None:
    """A short timeout, and HubSpot and Oracle through OAuth (private-app tokens and basic
    auth never expire)."""
    data = yaml.safe_load(config.read_text())
    source: dict[str, Any] = data["sources"][0]
    source["timeout_s"] = TIMEOUT_S
    if crm == "hubspot":
        creds = sandbox.credentials
        source["auth"] = {
            "flow": "oauth",
            "client_id": creds.hubspot_client_id,
            "client_secret": creds.hubspot_client_secret,
            "refresh_token": creds.hubspot_refresh_token,
        }
    if crm == "oracle":  # basic auth has no token to expire: sign in through OAuth
        info = sandbox.info.oracle
        source["auth"] = {
            "flow": "client_credentials",
            "token_url": info.token_url,
            "client_id": info.client_id,
            "client_secret": info.client_secret,
        }
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def _base_url(sandbox: Sandbox, crm: str) -> str:
    info = sandbox.info
    return {
        "salesforce": info.salesforce.instance_url,
        "hubspot": info.hubspot.base_url,
        "zoho": info.zoho.api_domain,
        "dynamics": info.dynamics.environment_url,
        "sugarcrm": info.sugarcrm.site_url,
        "keap": info.keap.base_url,
        "oracle": info.oracle.site_url,
    }[crm]


@pytest.mark.parametrize(("crm", "backend"), CASES, ids=[f"{c}-{b}" for c, b in CASES])
def test_sync_under_faults_ends_like_a_clean_one(
    crm: str, backend: str, clean_sandbox: Sandbox, tmp_path: Path
) -> None:
    require(crm)
    stores = {}
    injected: dict[str, int] = {}
    for profile in ("none", "flaky"):
        running: AbstractContextManager[Sandbox] = (
            nullcontext(clean_sandbox) if profile == "none" else tiny_sandbox(faults=profile)
        )
        with running as sandbox, store_url(backend, tmp_path, profile) as url:
            (tmp_path / profile).mkdir()
            config = write_config(sandbox, tmp_path / profile, url, (crm,))
            if profile == "flaky":
                base = _base_url(sandbox, crm)
                with pinned_session(sandbox.info.ca_bundle) as admin:
                    admin.put(
                        f"{base}/_sandbox/faults",
                        json={
                            "profile": "flaky",
                            "failure_rate": FAILURE_RATES[crm],
                            "slow_s": SLOW_S,
                        },
                    ).raise_for_status()
                _flaky_source(sandbox, config, crm)
            run_sync(config, crm)
            assert_store_matches_world(sandbox, config, crm)
            stores[profile] = store_snapshot(url)
            if profile == "flaky":
                with pinned_session(sandbox.info.ca_bundle) as admin:
                    injected = admin.get(f"{base}/_sandbox/faults").json()["injected"]
    assert stores["flaky"] == stores["none"]
    missing = [kind.value for kind in FAILURE_KINDS if injected[kind.value] < 1]
    assert missing == [], injected
