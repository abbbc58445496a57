"""``crmsync init`` writes a configuration that validates once its secrets are set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return cli_process.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_init_writes_a_config_and_secrets_template_that_validate(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "crmsync.yaml"
    made = _run("init", "--crm", "hubspot", "--crm", "zoho", "--out", str(path))
    assert made.returncode == 0, made.stderr
    text = path.read_text()
    assert "${HUBSPOT_ACCESS_TOKEN}" in text and "${ZOHO_REFRESH_TOKEN}" in text
    assert "salesforce" not in text.split("sources:", 1)[1].split("schedule:", 1)[0]
    secrets = (tmp_path / "conf" / "secrets.env.example").read_text().splitlines()
    assert secrets[1:] == [
        "HUBSPOT_ACCESS_TOKEN=",
        "ZOHO_CLIENT_ID=",
        "ZOHO_CLIENT_SECRET=",
        "ZOHO_REFRESH_TOKEN=",
    ]
    unset = _run("config", "validate", "--config", str(path))
    assert unset.returncode == 2
    assert "${HUBSPOT_ACCESS_TOKEN} is not set" in unset.stderr
    values = {name.rstrip("="): "x" for name in secrets[1:]}
    valid = _run("config", "validate", "--config", str(path), env=values)
    assert valid.returncode == 0, valid.stderr
    assert "2 source(s): hubspot (hubspot), zoho (zoho)" in valid.stdout
    assert (tmp_path / "conf" / "plans").is_dir()  # plans_dir: plans must exist to validate


def test_init_never_overwrites_without_force_and_names_the_crms(tmp_path: Path) -> None:
    path = tmp_path / "crmsync.yaml"
    assert _run("init", "--out", str(path)).returncode == 0
    again = _run("init", "--out", str(path))
    assert again.returncode == 2
    assert again.stderr.strip() == f"error: {path} exists: pass --force to overwrite it"
    assert _run("init", "--out", str(path), "--force").returncode == 0
    wrong = _run("init", "--crm", "pipedrive", "--out", str(tmp_path / "x.yaml"))
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "error: --crm pipedrive: choose from salesforce, hubspot, zoho"
