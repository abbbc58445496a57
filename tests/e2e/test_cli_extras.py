"""A command that needs an extra that is not installed says in one line which to install.

The missing package is simulated the way Python documents for blocking an import: its
``sys.modules`` entry is ``None``, so importing it raises ``ModuleNotFoundError``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Blocks the module named first, then runs the CLI with the remaining arguments.
_WITHOUT = (
    "import sys; sys.modules[sys.argv.pop(1)] = None; from sync.cli import main; "
    "sys.argv[0] = 'crmsync'; main()"
)


def _without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, module, *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def postgres_config(tmp_path: Path) -> Path:
    path = tmp_path / "crmsync.yaml"
    # Nothing listens on port 1: the commands must stop at the missing package first.
    path.write_text("store:\n  url: postgresql://crmsync@127.0.0.1:1/none\nsources: []\n")
    return path


def test_the_sandbox_without_its_extra(tmp_path: Path) -> None:
    result = _without("werkzeug", "sandbox", "serve", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: the CRM sandbox (crmsync sandbox, crmsync demo) needs crmsync's sandbox extra "
        "(werkzeug is not installed): pip install 'crmsync[sandbox]'"
    ]


def test_a_postgresql_store_without_its_extra(postgres_config: Path) -> None:
    result = _without("psycopg", "status", "--config", str(postgres_config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: a PostgreSQL store needs crmsync's postgres extra (psycopg is not installed): "
        "pip install 'crmsync[postgres]'"
    ]


def test_workers_without_their_extra(postgres_config: Path) -> None:
    result = _without("procrastinate", "worker", "schema", "--config", str(postgres_config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: queue workers (crmsync worker) needs crmsync's workers extra "
        "(procrastinate is not installed): pip install 'crmsync[workers]'"
    ]


def test_help_needs_no_extra() -> None:
    for module in ("werkzeug", "psycopg", "procrastinate", "cheroot"):
        result = _without(module, "--help")
        assert result.returncode == 0, result.stderr
        assert "Usage: crmsync" in result.stdout


def test_a_missing_module_no_extra_provides_stays_an_internal_error(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    config.write_text("store:\n  url: sqlite:///x.sqlite\nsources: []\n")
    result = _without("sqlalchemy", "status", "--config", str(config))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: import of sqlalchemy halted; None in sys.modules "
        "(run with --debug for the traceback)"
    ]


def test_the_spark_backend_without_its_extra(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    config.write_text(
        "store:\n  url: sqlite:///x.sqlite\nsources: []\n"
        "reconcile:\n  engine: splink\n  splink:\n    backend: spark\n"
    )
    result = _without("pyspark", "reconcile", "run", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: the configuration has 1 problem: {config}:6: reconcile.splink: backend: spark"
        " is not installed; install crmsync[spark] (pip install 'crmsync[spark]') for the"
        " Spark backend"
    ]


def test_a_dynamics_source_without_its_extra(tmp_path: Path) -> None:
    config = tmp_path / "crmsync.yaml"
    # Nothing listens on port 1: the sync must stop at the missing package, before any call.
    config.write_text(
        f"store:\n  url: sqlite:///{tmp_path / 'store.db'}\n"
        "sources:\n  - name: dynamics\n    kind: dynamics\n"
        "    environment_url: https://127.0.0.1:1\n    authority_host: https://127.0.0.1:1\n"
        "    auth:\n      flow: client_credentials\n"
        "      tenant_id: 00000000-0000-0000-0000-000000000000\n"
        "      client_id: an-app\n      client_secret: not-a-secret\n"
    )
    result = _without("msal", "sync", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: the Dynamics 365 connector needs crmsync's dynamics extra "
        "(msal is not installed): pip install 'crmsync[dynamics]'"
    ]
