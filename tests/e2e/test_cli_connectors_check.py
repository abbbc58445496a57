"""``crmsync connectors check`` answers within seconds, one line per source."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sandbox import Sandbox
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def _check(
    config: dict[str, object], tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    path = tmp_path / "crmsync.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    env = {**os.environ, "CHECK_SECRET": "placeholder"}
    started = time.monotonic()
    result = cli_process.run(
        [*CLI, "connectors", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    return result, time.monotonic() - started


def test_unreachable_and_placeholder_hosts_answer_in_ten_seconds_one_line_each(
    tmp_path: Path, closed_port: int, silent_port: int
) -> None:
    config = {
        "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
        "sources": [
            {
                "name": "salesforce",
                "kind": "salesforce",
                "instance_url": "https://your-instance.invalid",
                "auth": {
                    "flow": "client_credentials",
                    "client_id": "id",
                    "client_secret": "${CHECK_SECRET}",
                },
            },
            {
                "name": "hubspot",
                "kind": "hubspot",
                "base_url": f"http://127.0.0.1:{closed_port}",
                "auth": {"flow": "private_app", "access_token": "${CHECK_SECRET}"},
            },
            {
                "name": "zoho",
                "kind": "zoho",
                "api_domain": f"http://127.0.0.1:{silent_port}",
                "accounts_url": f"http://127.0.0.1:{silent_port}",
                "auth": {
                    "client_id": "id",
                    "client_secret": "${CHECK_SECRET}",
                    "refresh_token": "${CHECK_SECRET}",
                },
            },
        ],
    }
    result, seconds = _check(config, tmp_path)
    assert seconds <= 10.0, (seconds, result.stdout, result.stderr)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["salesforce", "FAIL"],
        ["hubspot", "FAIL"],
        ["zoho", "FAIL"],
    ]
    assert lines[0].endswith(
        "cannot reach Salesforce for login at "
        "https://your-instance.invalid/services/oauth2/token: host name not found"
    )
    assert lines[1].endswith("HubSpot did not answer: connection refused")
    assert lines[2].endswith(
        f"Zoho did not answer POST http://127.0.0.1:{silent_port}/oauth/v2/token: timed out"
    )
    assert result.stderr.splitlines() == ["error: some sources failed their check"]


def test_a_live_sandbox_checks_ok_one_line_each(sandbox: Sandbox, tmp_path: Path) -> None:
    generated = yaml.safe_load(sandbox.info.config_path.read_text())
    config = {
        "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
        "secrets_file": str(sandbox.info.config_path.parent / "secrets.env"),
        "sources": generated["sources"],
    }
    result, seconds = _check(config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["salesforce", "ok"],
        ["hubspot", "ok"],
        ["zoho", "ok"],
        ["dynamics", "ok"],
        ["sugarcrm", "ok"],
        ["keap", "ok"],
        ["oracle", "ok"],
    ]
    assert seconds <= 10.0
