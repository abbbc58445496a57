"""The three emulators together over one generated world, read through official clients."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate, write_ground_truth
from sandbox.peek import count_records, expected_counts, sample_records


def test_counts_read_through_each_official_client_equal_the_ground_truth(sandbox) -> None:
    info = sandbox.info
    counts = count_records(info)
    expected = expected_counts(info.ground_truth_dir)
    assert len(counts) == 17 + 9 + 9
    assert {(c.crm, c.object): c.count for c in counts} == {
        key: expected[key] for key in ((c.crm, c.object) for c in counts)
    }
    assert sum(c.count for c in counts) > 300  # the tiny company, not an empty sandbox


def test_samples_come_back_through_each_client(sandbox) -> None:
    samples = {s.crm: s for s in sample_records(sandbox.info, limit=3)}
    assert set(samples) == {"salesforce", "hubspot", "zoho"}
    assert all(len(s.rows) == 3 for s in samples.values())
    assert all(row[0] for s in samples.values() for row in s.rows)  # every row has an id


def test_the_written_config_holds_no_secret(sandbox) -> None:
    info = sandbox.info
    config = info.config_path.read_text()
    secrets_file = info.config_path.parent / "secrets.env"
    values = [
        line.split("=", 1)[1]
        for line in secrets_file.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    ]
    # two for each of the first four CRMs, SugarCRM's password, Keap's client and refresh
    # token, Oracle's password
    assert len(values) == 13
    assert not [v for v in values if v in config]
    assert "${SANDBOX_SALESFORCE_CLIENT_SECRET}" in config
    assert "${SANDBOX_DYNAMICS_CLIENT_SECRET}" in config
    assert "${SANDBOX_SUGARCRM_PASSWORD}" in config
    assert "${SANDBOX_KEAP_REFRESH_TOKEN}" in config
    assert "${SANDBOX_ORACLE_PASSWORD}" in config
    assert info.salesforce.instance_url in config
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600


def test_json_info_has_exactly_the_documented_keys(sandbox) -> None:
    data = sandbox.info.to_json()
    assert set(data) == {
        "salesforce",
        "hubspot",
        "zoho",
        "dynamics",
        "sugarcrm",
        "keap",
        "oracle",
        "ca_bundle",
        "config_path",
        "ground_truth_dir",
    }
    assert set(data["salesforce"]) == {
        "instance_url",
        "access_token",
        "client_id",
        "client_secret",
        "token_url",
    }
    assert set(data["hubspot"]) == {"base_url", "access_token"}
    assert set(data["zoho"]) == {
        "api_domain",
        "accounts_url",
        "client_id",
        "client_secret",
        "refresh_token",
    }
    assert set(data["dynamics"]) == {
        "environment_url",
        "authority_host",
        "tenant_id",
        "client_id",
        "client_secret",
    }
    assert set(data["sugarcrm"]) == {"site_url", "username", "password", "platform"}
    assert set(data["keap"]) == {"base_url", "client_id", "client_secret", "refresh_token"}
    assert set(data["oracle"]) == {
        "site_url",
        "username",
        "password",
        "token_url",
        "client_id",
        "client_secret",
    }


def test_same_seed_gives_identical_data_and_ground_truth(tmp_path: Path) -> None:
    from sandbox.persist import save_world

    for run in ("a", "b"):
        world = generate(11, "tiny", DEFAULT_ANCHOR)
        write_ground_truth(world, tmp_path / run / "truth")
        save_world(world, tmp_path / run / "world")
    other = generate(12, "tiny", DEFAULT_ANCHOR)
    write_ground_truth(other, tmp_path / "c" / "truth")
    for sub in ("truth", "world"):
        files_a = sorted(
            p.relative_to(tmp_path / "a") for p in (tmp_path / "a" / sub).rglob("*") if p.is_file()
        )
        assert files_a
        for rel in files_a:
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    identities = "truth/identities.jsonl"
    assert (tmp_path / "a" / identities).read_bytes() != (tmp_path / "c" / identities).read_bytes()


def test_churn_through_the_admin_path_is_deterministic_and_persists(tmp_path: Path) -> None:
    reports = []
    for run in ("a", "b"):
        options = SandboxOptions(
            seed=5, scale="tiny", state_dir=tmp_path / run, anchor=DEFAULT_ANCHOR
        )
        with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as box:
            with pinned_session(box.info.ca_bundle) as http:
                response = http.post(
                    f"{box.info.hubspot.base_url}/_sandbox/churn", json={"changes": 40, "seed": 3}
                )
            assert response.status_code == 200
            reports.append(response.json())
            after_churn = {(c.crm, c.object): c.count for c in count_records(box.info)}
            assert after_churn == {
                k: v
                for k, v in expected_counts(box.info.ground_truth_dir).items()
                if k in after_churn
            }
    assert reports[0] == reports[1]
    # Restarting on the same state dir serves the churned world.
    options = SandboxOptions(seed=5, scale="tiny", state_dir=tmp_path / "a", anchor=DEFAULT_ANCHOR)
    with Sandbox(options) as again:
        restarted = {(c.crm, c.object): c.count for c in count_records(again.info)}
    assert restarted == after_churn
