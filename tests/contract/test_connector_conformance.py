"""The conformance suite (``connectors.testing``) passes for every built-in connector against
the sandbox, and for the JSON-lines plugin against its files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from connectors.core.http import pinned_session
from connectors.core.registry import load_connector
from connectors.testing import ConformanceError, check_profile, check_pull, check_write
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.sources import build_connector
from tests.integration.sync_support import STREAM_OBJECTS, expected_live_ids, write_config

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "crmsync-jsonl"
CRMS = ["salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "keap", "oracle"]
# An id of the right shape that no record has: its write must fail alone.
UNKNOWN_DEAL = {
    "salesforce": "006000000000000AAA",
    "hubspot": "999999999",
    "zoho": "999999999",
    "dynamics": "00000000-0000-0000-0000-000000000001",
    "sugarcrm": "00000000-0000-0000-0000-000000000001",
    "keap": "999999",
    "oracle": "300000000000001",
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


@pytest.mark.parametrize("crm", CRMS)
def test_built_in_connector_passes_the_conformance_suite(
    crm: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    check_profile(load_connector(crm))
    if crm == "oracle":  # its REST API cannot create fields: an admin does, in Application Composer
        _composer_field(sandbox, "opportunities", "crmsync_conformance_c")
    config = load_config(write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.db", (crm,)))
    connector = build_connector(config.source(crm))
    try:
        expected = {s: expected_live_ids(sandbox, crm, s) for s in STREAM_OBJECTS[crm]}
        ids = check_pull(connector, expected)
        results = check_write(
            connector,
            "deals",
            sorted(ids["deals"])[:3],
            unknown_id=UNKNOWN_DEAL[crm],
            read_back="deals",
        )
    finally:
        connector.close()
    written = min(3, len(ids["deals"]))
    assert written >= 2
    assert [r.ok for r in results] == [True] * written + [False]


def _composer_field(sandbox: Sandbox, resource: str, name: str) -> None:
    with pinned_session(sandbox.info.ca_bundle) as admin:
        admin.post(
            f"{sandbox.info.oracle.site_url}/_sandbox/oracle_field",
            json={"resource": resource, "name": name, "type": "number"},
        ).raise_for_status()


def _jsonl_connector(directory: Path) -> Any:
    sys.path.insert(0, str(PLUGIN))
    try:
        from crmsync_jsonl import JsonlConnector, JsonlSettings
    finally:
        sys.path.remove(str(PLUGIN))
    lines = [
        {"id": 1, "email": "ana@example.com", "last_name": "Ruiz", "created_by": "u7"},
        {"id": 2, "email": "bo@example.com", "last_name": "Li"},
    ]
    for line in lines:
        line["updated_at"] = "2026-10-01T10:00:00+00:00"
    (directory / "contacts.jsonl").write_text("\n".join(orjson.dumps(x).decode() for x in lines))
    return JsonlConnector("files", JsonlSettings(directory=directory))


def test_the_json_lines_plugin_passes_the_conformance_suite(tmp_path: Path) -> None:
    connector = _jsonl_connector(tmp_path)
    # Not installed in this environment: tests/e2e/test_plugin.py checks its entry point.
    profile = check_profile(type(connector), registered=False)
    assert check_pull(connector, {"contacts": {"1", "2"}}) == {"contacts": {"1", "2"}}
    results = check_write(connector, "contacts", ["1", "2"])
    assert [(r.remote_id, r.ok, r.error) for r in results] == [
        ("1", False, "this connector is read-only"),
        ("2", False, "this connector is read-only"),
    ]
    assert profile.creator_of({"created_by": "u7"}) == "u7"


def test_the_suite_reports_every_broken_promise(tmp_path: Path) -> None:
    connector = _jsonl_connector(tmp_path)

    class Forgetful(type(connector)):  # type: ignore[misc]
        """Drops the last result of a write."""

        def write(self, object_name: str, updates: Any) -> Any:
            return super().write(object_name, updates)[:-1]

    broken = Forgetful("files", connector.__class__.settings_model(directory=tmp_path))
    with pytest.raises(ConformanceError) as caught:
        check_write(broken, "contacts", ["1", "2"])
    assert caught.value.problems == [
        "write must return one result per update, in the updates' order"
    ]
    with pytest.raises(ConformanceError) as caught:
        check_pull(broken, {"contacts": {"1", "3"}})
    assert caught.value.problems == ["contacts: ids differ (missing ['3'], extra ['2'])"]
