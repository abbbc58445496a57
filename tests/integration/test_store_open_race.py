"""Processes opening a new store at the same moment (the daemon and a command at first
install, say) all get it migrated: one migrates, the others wait and find it done."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.integration.sync_support import opened, sqlite_or_postgres

OPENERS = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "new.sqlite")


def test_processes_opening_a_new_store_at_once_all_get_it_migrated(store_url: str) -> None:
    code = (
        "import sys; from sync.store import open_store; "
        "open_store(sys.argv[1]).dispose(); print('opened')"
    )
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(OPENERS)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in openers]
    assert [(code, out.strip()) for code, out, _ in results] == [(0, "opened")] * OPENERS, [
        err[-500:] for _, _, err in results
    ]
    with opened(store_url) as engine, engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert len(versions) == 1
