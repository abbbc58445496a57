"""Hostile and broken configuration through the real command line: one line per problem
with file, line and key, exit code 2, nothing written, no secret echoed; ``--json-logs``
keeps every line JSON."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests import cli_process

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "sync"]
SECRET = "hunter2-Sup3r-secret!"

BOMB = "store: {url: 'sqlite:///bomb.sqlite'}\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" if n else "l0: &l0 [a, a, a, a, a]\n"
    for n in range(10)
)

CASES: dict[str, tuple[bytes, str]] = {
    "alias-bomb": (BOMB.encode(), ":6: l4[1]: aliases (*l3) expand to more than 10000 values"),
    "self-reference": (b"email: &e\n  host: [*e]\n", ":2: email.host[0]: the alias *e is inside"),
    "deep-nesting": (b"store: " + b"[" * 3000 + b"]" * 3000, ":1: not valid YAML: nested deeper"),
    "not-utf8": (
        b"store:\n  url: sqlite:///caf\xe9.sqlite\n",
        ":2: store.url: the file is not UTF-8 text",
    ),
    "nul": (
        b"email:\n  host: smtp\x00\n",
        ":2: email.host: not valid YAML: control character #x0000",
    ),
    "big-int": (b"email:\n  port: " + b"7" * 5001 + b"\n", ":2: email.port: cannot read this"),
    "duplicate-key": (
        b"store: {url: 'sqlite:///a.sqlite'}\nstore: {url: 'sqlite:///b.sqlite'}\n",
        ":2: store: the key is written twice (lines 1 and 2); keep one",
    ),
    "empty": (b"", ":1: the file is empty; start from `crmsync config example`"),
    "push-unknown-source": (
        b"push:\n  targets:\n    - {key: k, source: nowhere, object: deals, field: f}\n",
        ":3: push.targets[0].source: no source named 'nowhere'",
    ),
    "missing-plans-dir": (
        b"compensation:\n  plans_dir: no/such/plans\n",
        ":2: compensation.plans_dir: no directory",
    ),
    "password-in-password-env": (
        f"email:\n  password_env: {SECRET}\n".encode(),
        ":2: email.password_env: not an environment variable name",
    ),
}


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("CRMSYNC_CONFIG", None)
    return cli_process.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_configuration_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, case: str) -> None:
    content, expected = CASES[case]
    path = tmp_path / "crmsync.yaml"
    path.write_bytes(content)
    for command in (["config", "validate"], ["sync"]):
        result = _run(tmp_path, *command, "--config", str(path))
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: the configuration has 1 problem: {path}{expected}")
        assert len(result.stderr.splitlines()) == 1
        assert SECRET not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crmsync.yaml"]


def test_every_configuration_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "crmsync.yaml"
    path.write_text(
        "sources:\n"
        "  - name: hubspot\n"
        "    kind: hubspot\n"
        "    auth: {flow: private_app, access_token: x}\n"
        "    base_urll: https://api.hubapi.com\n"
        "schedule:\n"
        "  default: {every: often}\n"
    )
    result = _run(tmp_path, "config", "validate", "--config", str(path))
    assert result.returncode == 2
    assert [line.split(": ", 2)[:2] for line in result.stderr.splitlines()[1:]] == [
        [f"  {path}:5", "sources[0].base_urll"],
        [f"  {path}:7", "schedule.default.every"],
    ]


def test_plan_validate_lists_a_typo_and_a_tier_overlap_and_survives_a_bomb(
    tmp_path: Path,
) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "field.yaml").write_text(
        "plan: field\n"
        "version: 1\n"
        "effective_from: 2026-01-01\n"
        "currency: USD\n"
        "components:\n"
        "  - name: revenue\n"
        "    kind: commission\n"
        "    tires_note: typo\n"
        "    tiers:\n"
        "      - {from: '0%', to: '100%', rate: '2%'}\n"
        "      - {from: '90%', rate: '4%'}\n"
    )
    (plans / "rates.yaml").write_text(BOMB.replace("store: {url: 'sqlite:///bomb.sqlite'}\n", ""))
    config = tmp_path / "crmsync.yaml"
    config.write_text(f"compensation:\n  plans_dir: {plans}\n")
    result = _run(tmp_path, "plan", "validate", "--config", str(config))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "error: the plans have 3 problems:",
        f"  {plans / 'field.yaml'}:8: components[0].tires_note: unknown key",
        f"  {plans / 'field.yaml'}:11: components[0].tiers[1].from: tier 2 starts at 90% but "
        "tier 1 ends at 100% (an overlap); make them meet",
        f"  {plans / 'rates.yaml'}:5: l4[1]: aliases (*l3) expand to more than 10000 values; "
        "write the values out instead",
    ]


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_json_logs_print_only_json_lines_through_migrations_and_the_final_error(
    tmp_path: Path, debug: list[str]
) -> None:
    path = tmp_path / "crmsync.yaml"
    path.write_text(f"store:\n  url: sqlite:///{tmp_path / 'store.sqlite'}\n")
    result = _run(tmp_path, *debug, "daemon", "--config", str(path), "--json-logs")
    assert result.returncode == 2
    lines = (result.stdout + result.stderr).splitlines()
    entries = [orjson.loads(line) for line in lines]  # fails on any line that is not JSON
    loggers = {e["logger"] for e in entries}
    assert "alembic.runtime.migration" in loggers  # a fresh store: the migrations ran
    assert entries[-1]["level"] == "error"
    assert entries[-1]["message"] == "error: nothing to schedule: add a source under sources:"
    assert ("exc" in entries[-1]) == bool(debug)


def test_plan_validate_with_one_problem_prints_one_line(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "field.yaml").write_bytes(b"plan: field\nversion: 1\nplan: other\n")
    config = tmp_path / "crmsync.yaml"
    config.write_text(f"compensation:\n  plans_dir: {plans}\n")
    result = _run(tmp_path, "plan", "validate", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: the plans have 1 problem: {plans / 'field.yaml'}:3: plan: the key is written "
        "twice (lines 1 and 3); keep one\n"
    )
