"""``crmsync audit`` and ``crmsync report``: in-process through the CLI app (fast), plus
one real subprocess for the exit code of an error."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from sandbox.clock import DEFAULT_ANCHOR
from sync.demo import run_demo
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]
AS_OF = "2026-10-31T00:00Z"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("audit-cli")
    result = run_demo(workspace, seed=3, scale="tiny", anchor=DEFAULT_ANCHOR)
    assert result.ok
    return result.config_path


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def _run(config: Path, *args: str) -> Done:
    from typer.testing import CliRunner

    from sync.cli import app
    from sync.errors import CrmsyncError

    result = CliRunner().invoke(app, [*args, "--config", str(config)], prog_name="crmsync")
    if isinstance(result.exception, CrmsyncError):  # what sync.cli.main turns into an exit
        error = result.exception
        return Done(error.exit_code, result.stdout, f"error: {error.user_message}")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return Done(result.exit_code, result.stdout, result.stderr)


def _json(done: Done) -> Any:
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout)


def test_audit_run_then_findings_and_explain(config: Path) -> None:
    summary = _json(_run(config, "audit", "run", "--as-of", AS_OF, "--json"))
    assert summary["as_of"] == "2026-10-31T00:00:00+00:00"
    assert summary["findings"] == sum(summary["findings_by_rule"].values()) > 0
    again = _json(_run(config, "audit", "run", "--as-of", AS_OF, "--json"))
    assert {k: v for k, v in again.items() if k != "run_id"} == {
        k: v for k, v in summary.items() if k != "run_id"
    }

    rule = sorted(summary["findings_by_rule"])[0]
    findings = _json(_run(config, "audit", "findings", "--rule", rule, "--json"))
    assert len(findings) == summary["findings_by_rule"][rule]
    assert all(f["rule"] == rule and f["link"] and f["message"] for f in findings)
    employee = next(f["employee"] for f in findings if f["employee"])
    mine = _json(_run(config, "audit", "findings", "--employee", employee, "--json"))
    assert mine and all(f["employee"] == employee for f in mine)


def test_explain_shows_each_component_with_numerator_and_denominator(config: Path) -> None:
    _json(_run(config, "audit", "run", "--as-of", AS_OF, "--json"))
    board = _json(_run(config, "report", "usage", "--as-of", AS_OF, "--json"))
    employee = board["rows"][0][1]
    explained = _json(_run(config, "audit", "explain", employee, "--json"))
    assert [c["component"] for c in explained["components"]] == [
        "activity_coverage",
        "freshness",
        "completeness",
        "responsiveness",
        "uniqueness",
        "validity",
    ]
    assert all(c["denominator"] >= c["numerator"] >= 0 for c in explained["components"])
    for c in explained["components"]:
        assert c["team_denominator"] >= c["denominator"]
        if c["value"] is not None and c["component"] != "uniqueness":
            # kept, or lifted toward the team: never below the rep's own ratio
            assert c["value"] >= c["raw"]
            assert c["value"] == c["raw"] or c["value"] < c["team_ratio"]
    points = sum(c["points"] or 0 for c in explained["components"])
    assert abs(points - explained["score"]) <= 0.05
    table = _run(config, "audit", "explain", employee)
    assert table.returncode == 0 and "team Σk / Σn" in table.stdout and "points" in table.stdout
    assert f"= {explained['score']}" in table.stdout
    # each of the rep's findings is shown under the component it lowers, with its grounds
    shown = [f for c in explained["components"] for f in c["findings"][:5]]
    assert all(f["message"] in table.stdout for f in shown)


def test_the_default_as_of_is_the_data_time_and_is_printed(config: Path) -> None:
    import yaml

    from sync.audit.clock import data_time
    from sync.store import open_store

    url = yaml.safe_load(config.read_text())["store"]["url"]
    engine = open_store(url)
    expected = data_time(engine)
    engine.dispose()
    assert expected is not None
    # The sandbox CRMs' clock stands at 2026-10-31; the host's is whatever today is.
    assert datetime(2026, 10, 30, tzinfo=UTC) < expected <= datetime(2026, 10, 31, 1, tzinfo=UTC)
    done = _run(config, "audit", "run", "--json")
    assert _json(done)["as_of"] == expected.isoformat()
    assert f"as of {expected.isoformat()}" in done.stderr


def test_usage_errors_exit_2(config: Path) -> None:
    bad_rule = cli_process.run(
        [*CLI, "audit", "findings", "--rule", "nope", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad_rule.returncode == 2 and "unknown rule 'nope'" in bad_rule.stderr
    bad_date = _run(config, "audit", "run", "--as-of", "yesterday")
    assert bad_date.returncode == 2 and "--as-of" in bad_date.stderr
    _json(_run(config, "audit", "run", "--as-of", AS_OF, "--json"))
    unknown = _run(config, "audit", "explain", "nobody:0")
    assert unknown.returncode == 2 and "no usage score for 'nobody:0'" in unknown.stderr


@pytest.mark.parametrize("kind", ["usage", "channels", "pipeline", "service"])
def test_reports_in_every_format(config: Path, kind: str, tmp_path: Path) -> None:
    table = _run(config, "report", kind, "--as-of", AS_OF)
    assert table.returncode == 0, table.stderr
    csv = _run(config, "report", kind, "--as-of", AS_OF, "--format", "csv")
    assert csv.returncode == 0 and "," in csv.stdout.splitlines()[0]
    data = _json(_run(config, "report", kind, "--as-of", AS_OF, "--format", "json"))
    assert data["columns"] == csv.stdout.splitlines()[0].split(",")
    page = tmp_path / f"{kind}.html"
    html = _run(config, "report", kind, "--as-of", AS_OF, "--format", "html", "--out", str(page))
    assert html.returncode == 0, html.stderr
    assert page.read_text().startswith("<!DOCTYPE html>")
