"""``crmsync serve`` without the web extra: one line saying what to install, exit code 2;
and the rest of the command line never imports the web packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs the CLI with the web extra's packages made unimportable.
_WITHOUT_WEB = """
import sys
class _Gone:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("starlette", "uvicorn", "altair", "vl_convert"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Gone())
sys.argv = ["crmsync", *sys.argv[1:]]
from sync.cli import main
main()
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_WEB, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_serve_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    config.write_text("store:\n  url: sqlite:///" + str(tmp_path / "s.sqlite") + "\n")
    done = _cli("serve", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: the dashboard and portal (crmsync serve) needs crmsync's web extra "
        "(starlette is not installed): pip install 'crmsync[web]'"
    ]


def test_the_rest_of_the_cli_works_without_it() -> None:
    done = _cli("serve", "--help")
    assert done.returncode == 0 and "--port" in done.stdout
    assert _cli("config", "example").returncode == 0


def test_serve_without_a_signing_key_says_how_to_make_one(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    config.write_text("store:\n  url: sqlite:///" + str(tmp_path / "s.sqlite") + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "sync", "serve", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CRMSYNC_WEB_SECRET": "short"},
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: crmsync serve needs a signing key of 32+ characters in $CRMSYNC_WEB_SECRET"
    )
    assert "short" not in done.stderr  # the value given is never echoed
