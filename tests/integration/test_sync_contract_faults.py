"""The sync contract under injected faults: the same store as a clean sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.contract_suite import (
    BACKENDS,
    CRMS,
    require,
    run_sync,
    store_url,
    tiny_sandbox,
)
from tests.integration.sync_support import store_snapshot, write_config


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("crm", CRMS)
def test_sync_under_faults_ends_like_a_clean_one(crm: str, backend: str, tmp_path: Path) -> None:
    require(crm)
    stores = {}
    for profile in ("none", "flaky"):
        with tiny_sandbox(faults=profile) as sandbox, store_url(backend, tmp_path, profile) as url:
            if profile == "flaky":
                sandbox.apps[crm].faults.configure("flaky", 0.15)
            (tmp_path / profile).mkdir()
            config = write_config(sandbox, tmp_path / profile, url, (crm,))
            run_sync(config, crm)
            stores[profile] = store_snapshot(url)
    assert stores["flaky"] == stores["none"]
