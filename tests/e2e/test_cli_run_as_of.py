"""``crmsync run --as-of``: the later steps run as of a given time (tests/e2e/test_run_twice.py
runs the whole job with it); a value that is not a time is a usage error."""

from __future__ import annotations

import sys
from pathlib import Path

from tests import cli_process


def test_an_as_of_that_is_not_a_time_is_a_usage_error(tmp_path: Path) -> None:
    result = cli_process.run(
        [sys.executable, "-m", "sync", "run", "--as-of", "yesterday"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "--as-of 'yesterday' is not an ISO date or date-time" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written, no store created
