"""``crmsync plan`` run as a user would: help, validation errors, run, explain, simulate,
adjust and close against a synced and reconciled sandbox store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from sync.cli import app
from tests import cli_process
from tests.e2e.plan_support import plan_workspace

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "sync"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=180)


def _json(*args: str) -> Any:
    result = _run(*args, "--json")
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("plan-cli")
    return plan_workspace(workspace)[0]


@pytest.mark.parametrize(
    "command",
    [
        ["plan"],
        *(["plan", c] for c in ("validate", "run", "close", "explain", "simulate", "adjust")),
    ],
    ids=" ".join,
)
def test_every_plan_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    assert "Usage: crmsync" in result.output


def test_validate_lists_every_plan_version(config: Path) -> None:
    data = _json("plan", "validate", "--config", str(config))
    versions = [(v["plan"], v["version"]) for v in data["versions"]]
    assert versions == [
        ("call_centre", 1),
        ("dach_sales", 1),
        ("field_sales", 1),
        ("field_sales", 2),
        ("iberia_sales", 1),
        ("leadership", 1),
        ("marketing", 1),
        ("service", 1),
    ]
    assert data["assignments"] == 9


def test_a_broken_plan_is_one_clear_usage_error(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "bad.yaml").write_text(
        "plan: bad\nversion: 1\neffective_from: 2026-01-01\ncurrency: USD\ncomponents: []\n"
    )
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"compensation": {"plans_dir": str(plans)}}))
    result = _run("plan", "validate", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert f"{plans / 'bad.yaml'}:5: components:" in result.stderr


def test_run_explain_simulate_adjust_and_close(config: Path) -> None:
    c = ("--config", str(config))
    dry = _json("plan", "run", "--period", "2026-03", "--dry-run", *c)
    assert dry["run_id"] is None and dry["dry_run"] is True
    stored = _json("plan", "run", "--period", "2026-03", *c)
    assert stored["input_hash"] == dry["input_hash"] and stored["run_id"] == 1
    assert stored["employees"] == dry["employees"]
    paid = next(e for e in stored["employees"] if "commission" in e["totals"])

    explained = _json("plan", "explain", "--employee", paid["employee"], "--period", "2026-03", *c)
    assert explained["total"] == paid["total"] and explained["current"] is True
    line = next(x for x in explained["lines"] if x["kind"] == "commission")
    assert line["deal"]["act_details"] and line["rule"] and line["fx"]["rate"]
    text = _run("plan", "explain", "--employee", paid["employee"], "--period", "2026-03", *c)
    assert text.returncode == 0 and "act " in text.stdout and "slot" in text.stdout

    sim = _json(
        "plan",
        "simulate",
        "--employee",
        paid["employee"],
        "--period",
        "2026-03",
        "--amount",
        "50000",
        *c,
    )
    assert sim["scenario"] == f"closing a deal of 50000 {sim['currency']}"
    assert float(sim["delta"]) >= 0

    made = _json(
        "plan",
        "adjust",
        "--employee",
        paid["employee"],
        "--period",
        "2026-03",
        "--amount",
        "42.50",
        "--reason",
        "conference prize",
        *c,
    )
    assert made["amount"] == "42.50" and made["reason"] == "conference prize"
    again = _json("plan", "run", "--period", "2026-03", *c)
    person = next(e for e in again["employees"] if e["employee"] == paid["employee"])
    assert person["totals"]["manual"] == "42.50"

    closed = _json("plan", "close", "--period", "2026-03", *c)
    assert closed["run_id"] == again["run_id"]
    refused = _run("plan", "run", "--period", "2026-03", *c)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "error: period 2026-03 is closed; changes post as adjustments in the open period"
    )


def test_explain_before_any_run_says_what_to_run(config: Path) -> None:
    result = _run(
        "plan", "explain", "--employee", "x", "--period", "2025-01", "--config", str(config)
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: no stored run for 2025-01: run `crmsync plan run --period 2025-01` first"
    )


def test_split_override_problems_are_one_line_each_with_file_and_line(
    config: Path, tmp_path: Path
) -> None:
    """The overrides file's own problems fail `plan validate`; a deal or person the store
    does not know fails the run, with the closest spellings."""
    plans = tmp_path / "plans"
    shutil.copytree(REPO / "config" / "plans", plans)
    settings = yaml.safe_load(config.read_text())
    settings["compensation"]["plans_dir"] = str(plans)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(settings))
    overrides = plans / "overrides.yaml"
    overrides.write_text(
        "split_overrides:\n"
        "  - deal: '15000000001'\n"
        "    effective: 2026-01-01\n"
        "    by: RevOps\n"
        "    reason: shared account\n"
        "    shares: {Jenifer Hall: '50%', sophie.bianchi@altamira-instruments.com: '40%'}\n"
    )
    bad = _run("plan", "validate", "--config", str(path))
    assert bad.returncode == 2
    assert bad.stderr == (
        f"error: the plans have 1 problem: {overrides}:6: split_overrides[0].shares: the "
        "shares sum to 90%, not exactly 100%\n"
    )
    overrides.write_text(overrides.read_text().replace("'40%'", "'50%'"))
    assert _json("plan", "validate", "--config", str(path))["split_overrides"] == 1
    run = _run("plan", "run", "--period", "2026-06", "--dry-run", "--config", str(path))
    assert run.returncode == 2
    assert f"{overrides}:6: no employee 'Jenifer Hall'; did you mean 'Jennifer Hall'?" in run.stderr
