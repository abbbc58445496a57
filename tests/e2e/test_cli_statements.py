"""``crmsync statements`` run as a user would: help, clear errors, approve and send."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from compensation.statements.samples import sample_statement
from sync.cli import app
from sync.config import CrmsyncConfig
from sync.mail.service import queue_statements
from sync.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from mail_support import smtp_capture

from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "command",
    [
        ["statements"],
        ["statements", "render"],
        ["statements", "send"],
        ["statements", "approve"],
        ["statements", "outbox"],
    ],
    ids=" ".join,
)
def test_every_statements_command_has_help(command: list[str]) -> None:
    # In-process: the subprocess path of --help is covered by tests/e2e/test_cli.py.
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    assert "Usage: crmsync" in result.output


def test_without_plan_results_render_and_send_say_what_to_run(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    config.write_text(yaml.safe_dump({"store": {"url": f"sqlite:///{tmp_path / 's.sqlite'}"}}))
    for args in (["render", "--out", str(tmp_path / "out")], ["send", "--dry-run"]):
        result = _run("statements", *args, "--period", "2026-10", "--config", str(config))
        assert result.returncode == 1
        assert result.stderr.strip() == (
            "error: no plan results for 2026-10: run `crmsync plan run --period 2026-10` first"
        )


def test_queued_statements_are_approved_then_sent(tmp_path: Path) -> None:
    with smtp_capture() as smtp:
        data = {
            "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
            "email": {
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "payroll@example.com",
            },
            "statements": {"approval_required": True},
        }
        path = tmp_path / "crmsync.yaml"
        path.write_text(yaml.safe_dump(data))
        config = CrmsyncConfig.model_validate(data)
        engine = open_store(config.store.url)
        now = datetime(2026, 11, 2, tzinfo=UTC)
        queue_statements(engine, [sample_statement(i) for i in range(3)], config, now)
        common = ["--config", str(path), "--json"]

        status = orjson.loads(_run("statements", "outbox", *common).stdout)
        assert status == {
            "counts": [{"period": "2026-10", "state": "queued", "count": 3}],
            "problems": [],
        }
        approved = _run(
            "statements",
            "approve",
            "--period",
            "2026-10",
            "--only",
            "E000001",
            "--by",
            "lead",
            *common,
        )
        assert orjson.loads(approved.stdout) == {"approved": 1, "by": "lead", "period": "2026-10"}
        sent = _run(
            "statements", "send", "--period", "2026-10", "--queued-only", "--progress", *common
        )
        assert sent.returncode == 0, sent.stderr
        assert orjson.loads(sent.stdout)["sent"] == 1
        # --progress: timed lines on stderr although it is a pipe and --json is given
        shown = [x.split("] ", 1)[1] for x in sent.stderr.splitlines() if x.startswith("sending [")]
        assert (shown[0], shown[-1]) == ("started", "done") and "1" in shown
        assert [r.rcpt_tos for r in smtp.received] == [("e000001@example.com",)]
        table = _run("statements", "outbox", "--period", "2026-10", "--config", str(path))
        assert "Statement outbox" in table.stdout and "queued" in table.stdout
