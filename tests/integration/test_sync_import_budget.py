"""The import budget of ``crmsync sync``: an incremental run through the command line loads
what syncing needs, not the libraries of the other stages, nor Alembic on a store already
at the latest schema, nor the official HubSpot client's packages it does not call, nor the
store's SQLModel tables and SQLAlchemy's ORM, nor the CRM clients' parts it does not use.

Each command pays its imports on every start (an incremental sync at medium scale is about
half start-up), so a stage's library imported at a module's top level shows up here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from tests.integration.sync_support import write_config

# Other stages' libraries (statements, reconcile, reports, metrics), the migration tool, the
# extras' servers and queues, and the HubSpot packages of APIs an incremental run never calls.
NOT_FOR_SYNC = {
    "pandas",
    "numpy",
    "splink",
    "duckdb",
    "jinja2",
    "babel",
    "phonenumbers",
    "alembic",
    "prometheus_client",
    "cheroot",
    "werkzeug",
    "procrastinate",
    "hubspot.crm.schemas",
    "hubspot.oauth",
    # The pull writes through SQLAlchemy Core tables (sync/store/core_tables.py):
    # no SQLModel, pydantic table models nor ORM; simple-salesforce's Metadata API module
    # (zeep, lxml) and PyJWT with cryptography run only when used; MSAL with a Dynamics token.
    "sqlmodel",
    "sqlalchemy.orm",
    "sync.store.records",
    "sync.store.bookkeeping",
    "zeep",
    "lxml",
    "jwt",
    "cryptography",
    "msal",
    "psycopg",
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=21, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as running:
        yield running


def _imported(stderr: str) -> set[str]:
    """The modules a ``python -X importtime`` run imported, from its report on stderr."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    } - {"imported package"}


def _sync(config: Path) -> set[str]:
    command = [sys.executable, "-X", "importtime", "-m", "sync", "sync", "--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return _imported(done.stderr)


def test_an_incremental_sync_imports_only_what_syncing_needs(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path}/s.sqlite")
    first = _sync(config)
    assert "alembic" in first  # the new store was migrated: the check below can fail
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    sandbox.churn(changes=12, seed=3)
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    imported = _sync(config)
    assert {"sync.pull.source", "connectors.zoho.connector"} <= imported  # it really ran
    assert (
        sorted(m for m in imported if any(m == n or m.startswith(f"{n}.") for n in NOT_FOR_SYNC))
        == []
    )
