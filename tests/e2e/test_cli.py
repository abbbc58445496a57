"""The crmsync command line, run as a user would (subprocesses)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from simple_salesforce import Salesforce

from connectors.core.http import pinned_session
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


def _command_paths() -> list[list[str]]:
    """Every command and group of the CLI, found by walking it (new commands included)."""
    import typer.main

    from sync.cli import app

    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        commands = getattr(command, "commands", None)  # groups have sub-commands
        if commands:
            for name, sub in sorted(commands.items()):
                walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


COMMANDS = _command_paths()


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_the_command_walk_finds_nested_commands() -> None:
    assert ["sandbox", "serve"] in COMMANDS and ["config", "reference"] in COMMANDS
    assert ["run"] in COMMANDS and ["init"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(command: list[str]) -> None:
    from typer.testing import CliRunner

    from sync.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    assert "Usage: crmsync" in result.output
    assert len(result.output.splitlines()) > 3  # a description and options, not a stub


def test_bad_options_give_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = _run("sandbox", "serve", "--port-base", "80", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --port-base must be between 1024 and 65529 (7 ports are used)"
    ]
    unknown = _run("sandbox", "serve", "--scale", "huge")
    assert unknown.returncode == 2
    assert "huge" in unknown.stderr
    crm = _run("demo", "--crm", "salesforce", "--crm", "pipedrive", "--workspace", str(tmp_path))
    assert crm.returncode == 2
    assert crm.stderr.strip().splitlines() == [
        "error: unknown CRM 'pipedrive' for --crm: use one of salesforce, hubspot, zoho, "
        "dynamics, sugarcrm, keap, oracle"
    ]


def test_usage_errors_are_one_line_naming_the_help_to_read() -> None:
    bogus = _run("sync", "--bogus")
    assert bogus.returncode == 2
    assert bogus.stderr.splitlines() == [
        "error: No such option: --bogus (Possible options: --jobs); see 'crmsync sync --help'"
    ]
    unknown = _run("nosuch")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == ["error: No such command 'nosuch'; see 'crmsync --help'"]
    # a command group alone prints its help (on stderr, exit code 2, as the library does)
    group = _run("reconcile")
    assert group.returncode == 2
    assert group.stdout == ""
    assert group.stderr.startswith("Usage: crmsync reconcile [OPTIONS] COMMAND [ARGS]...")
    assert "explain" in group.stderr


def test_help_and_version_exit_zero_on_stdout() -> None:
    shown = _run("sync", "--help")
    assert (shown.returncode, shown.stderr) == (0, "")
    assert shown.stdout.startswith("Usage: crmsync sync [OPTIONS]")
    version = _run("--version")
    assert (version.returncode, version.stderr) == (0, "")
    assert version.stdout.startswith("crmsync ")


def test_churn_without_a_sandbox_says_what_to_do(tmp_path: Path) -> None:
    result = _run("sandbox", "churn", "--state-dir", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "crmsync sandbox serve --state-dir" in result.stderr


def test_serve_json_then_sigterm_then_offline_churn(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc = subprocess.Popen(
        [*CLI, "sandbox", "serve", "--json", "--seed", "3", "--state-dir", str(state)]
        + ["--anchor", "2026-10-31"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        info = orjson.loads(line)
        with pinned_session(info["ca_bundle"]) as session:
            sf = Salesforce(
                instance_url=info["salesforce"]["instance_url"],
                session_id=info["salesforce"]["access_token"],
                session=session,
                version="59.0",
            )
            leads = sf.query("SELECT COUNT() FROM Lead")["totalSize"]
        assert leads > 0
        # The config the sandbox wrote works as it is: no secret in it, none to export.
        synced = _run("sync", "--config", info["config_path"], "--source", "salesforce", "--json")
        assert synced.returncode == 0, synced.stderr
        (report,) = orjson.loads(synced.stdout)
        leads_synced = next(s for s in report["streams"] if s["stream"] == "leads")
        assert (report["status"], leads_synced["inserted"]) == ("succeeded", leads)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert (state / "world").is_dir()
    assert not (state / "sandbox.json").exists()
    churned = _run("sandbox", "churn", "--state-dir", str(state), "--changes", "25", "--json")
    assert churned.returncode == 0, churned.stderr
    report = orjson.loads(churned.stdout)
    assert sum(row["count"] for row in report["counts"]) >= 25


def test_demo_reads_the_sandbox_and_matches_the_ground_truth(tmp_path: Path) -> None:
    env = {**os.environ}
    result = cli_process.run(
        [*CLI, "demo", "--scale", "tiny", "--workspace", str(tmp_path), "--json"]
        + ["--anchor", "2026-10-31"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["ok"] is True
    # the four CRMs it checks, then the customers' digital events (source web)
    assert [(s["source"], s["status"]) for s in summary["sync"]] == [
        (name, "succeeded") for name in ("salesforce", "hubspot", "zoho", "dynamics", "web")
    ]
    # products and splits: 2 Salesforce, 1 HubSpot; Dynamics' ten streams; the store
    # visits and orders of the consumer line in Salesforce, HubSpot and Zoho, and of the
    # DACH subsidiary's custom tables in Dynamics: 8
    assert len(summary["checks"]) == 42
    assert all(c["in_store"] == c["ground_truth"] for c in summary["checks"])
    assert sum(c["in_store"] for c in summary["checks"]) > 300
    # the configuration to copy from writes a value used twice out twice, no anchors
    written = (tmp_path / "crmsync.yaml").read_text()
    assert "&id0" not in written and "*id0" not in written
    assert written.count("account: Account__c") >= 2

    # Run again in the same workspace: the sandbox starts on new ports, and the sync is
    # incremental from the cursors and links the first run kept (Dataverse's delta links
    # name the host they came from).
    again = cli_process.run(
        [*CLI, "demo", "--scale", "tiny", "--workspace", str(tmp_path), "--json"]
        + ["--anchor", "2026-10-31"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert again.returncode == 0, again.stderr
    second = orjson.loads(again.stdout)
    assert [(s["source"], s["status"], s["error"]) for s in second["sync"]] == [
        (name, "succeeded", None) for name in ("salesforce", "hubspot", "zoho", "dynamics", "web")
    ]
    assert second["ok"] is True
    assert second["checks"] == summary["checks"]
