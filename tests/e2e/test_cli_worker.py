"""``crmsync worker`` refuses, with one clear line and exit code 2, what it cannot run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests import cli_process


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run(
        [sys.executable, "-m", "sync", "worker", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _config(tmp_path: Path, workers: dict[str, object]) -> Path:
    path = tmp_path / "crmsync.yaml"
    store = {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"}
    path.write_text(yaml.safe_dump({"store": store, "sources": [], "workers": workers}))
    return path


def test_scale_out_off_or_on_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    off = _run(_config(tmp_path, {"enabled": False}))
    assert off.returncode == 2
    assert off.stderr == (
        "error: scale-out is off: set workers.enabled: true in the configuration "
        "(or run crmsync daemon)\n"
    )
    sqlite = _run(_config(tmp_path, {"enabled": True}), "status")
    assert sqlite.returncode == 2
    assert sqlite.stderr.startswith("error: crmsync worker needs a PostgreSQL store")
    assert "\n" not in sqlite.stderr.rstrip("\n")


def test_a_schedule_off_the_clock_is_refused_by_the_configuration(tmp_path: Path) -> None:
    path = _config(tmp_path, {"enabled": True, "stalled_check_every": "7s"})
    result = _run(path, "status")
    assert result.returncode == 2
    assert "workers.stalled_check_every: every 7s cannot be written on clock ticks" in (
        result.stderr
    )
