"""The tests' forked ``crmsync`` commands answer as a real interpreter's do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


def _both(args: list[str], **options: object) -> tuple[tuple, tuple]:
    env = options.get("env")
    assert cli_process.forked([*CLI, *args], True, env)  # type: ignore[arg-type]
    forked = cli_process.run([*CLI, *args], capture_output=True, text=True, **options)
    real = subprocess.run([*CLI, *args], capture_output=True, text=True, **options)
    return (
        (forked.returncode, forked.stdout, forked.stderr),
        (real.returncode, real.stdout, real.stderr),
    )


def test_a_usage_error_is_the_same_line_and_exit_code(tmp_path: Path) -> None:
    forked, real = _both(["sync", "--bogus"], timeout=60, cwd=tmp_path)
    assert forked == real
    assert forked[0] == 2 and forked[2].startswith("error: No such option: --bogus")


def test_the_commands_environment_and_directory_are_its_own(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    env = {**os.environ, "CRMSYNC_CONFIG": str(missing), "COLUMNS": "60"}
    forked, real = _both(["status"], timeout=60, cwd=tmp_path, env=env)
    assert forked == real
    assert forked[0] == 2 and str(missing) in forked[2]
    forked, real = _both(["config", "example"], timeout=60, env=env)
    assert forked == real and forked[0] == 0 and forked[1]


def test_a_command_that_changes_how_python_starts_gets_a_real_interpreter() -> None:
    assert not cli_process.forked([*CLI, "status"], True, {**os.environ, "PYTHONUTF8": "1"})
    assert not cli_process.forked([sys.executable, "-c", "pass"])
    assert not cli_process.forked([*CLI, "status"], capture_output=False)
