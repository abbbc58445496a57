"""`crmsync sync` with nothing to read says so (exit 2, one line) instead of exiting 0 with an
empty report, which would look like a sync that found nothing; the store is not created."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import cli_process

REPO = Path(__file__).resolve().parents[2]

_CONFIG = """\
store: {url: 'sqlite:///store.sqlite'}
sources:
  - name: crm_a
    kind: hubspot
    enabled: %s
    auth: {flow: private_app, access_token: not-used}
  - name: crm_b
    kind: hubspot
    enabled: false
    auth: {flow: private_app, access_token: not-used}
"""


def _sync(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("CRMSYNC_CONFIG", None)
    return cli_process.run(
        [sys.executable, "-m", "sync", "sync", "--config", "crmsync.yaml", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


@pytest.mark.parametrize(
    ("first_enabled", "args", "message"),
    [
        (
            "false",
            (),
            "error: no source is enabled in the configuration; set enabled: true on one to "
            "sync it\n",
        ),
        (
            "true",
            ("--source", "crm_b"),
            "error: source crm_b has enabled: false in the configuration; set enabled: true "
            "to sync it\n",
        ),
    ],
)
def test_sync_with_no_enabled_source_is_an_error(
    tmp_path: Path, first_enabled: str, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "crmsync.yaml").write_text(_CONFIG % first_enabled)
    result = _sync(tmp_path, *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crmsync.yaml"]
