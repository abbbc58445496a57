"""CRM text on the terminal is shown, never obeyed (issue 15, item 12).

Activity subjects, deal, account and employee names in the store carry Rich markup, raw
ANSI colour, an OSC 8 hyperlink and a bell. Every command that shows them exits 0 and
prints the text literally, with the control characters as visible escapes, and no raw
escape byte reaches the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, select, update

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.reconciling import reconcile
from sync.store import open_store
from sync.store.records import TABLES
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]
HOSTILE = "[/bold][link=http://x]click[/link]\x1b[31mred\x1b]8;;http://evil\x07 \x9b2J\u202egnp.exe"
SHOWN = r"[/bold][link=http://x]click[/link]\x1b[31mred\x1b]8;;http://evil\x07 \x9b2J\u202egnp.exe"


def _set(engine: Engine, table: str, column: str, where: object = None) -> None:
    t = TABLES[table].__table__  # type: ignore[attr-defined]
    statement = update(t).values({column: HOSTILE + " " + t.c.remote_id})
    with engine.begin() as conn:
        conn.execute(statement if where is None else statement.where(where))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A synced sandbox store with hostile CRM text (every employee's last name too),
    reconciled; its config and the record key of a contact with an owned activity."""
    demo = run_demo(
        tmp_path_factory.mktemp("crm-text"), seed=7, scale="tiny", anchor=DEFAULT_ANCHOR
    )
    engine = open_store(demo.store_url)
    activities = TABLES["activity"].__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        source, contact = conn.execute(
            select(activities.c.source, activities.c.contact_id)
            .where(activities.c.contact_id.is_not(None), activities.c.owner_id.is_not(None))
            .order_by(activities.c.source, activities.c.remote_id)
            .limit(1)
        ).one()
    _set(engine, "activity", "subject")
    _set(engine, "deal", "name")
    _set(engine, "account", "name")
    _set(engine, "user", "last_name")
    reconcile(engine, ReconcileConfig(), datetime(2026, 10, 31, tzinfo=UTC), "full")
    engine.dispose()
    return demo.config_path, f"{source}:contacts:{contact}"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "500"}  # no wrapping: the text is on one line
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=300, env=env)


def _shown_literally(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert SHOWN in result.stdout
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in result.stdout and raw not in result.stderr


def test_journey_shows_subjects_and_employee_names_literally(world: tuple[Path, str]) -> None:
    config, contact = world
    result = _run("journey", contact, "--config", str(config))
    _shown_literally(result)
    rows = [line for line in result.stdout.splitlines() if SHOWN in line]
    assert rows and all("click" in line for line in rows)
    # the owner's name is hostile too: subject and employee on one row
    assert any(line.count(SHOWN) == 2 for line in rows)


@pytest.mark.parametrize(
    "command",
    [
        ["plan", "run", "--period", "2026-10", "--dry-run"],
        ["report", "pipeline"],
        ["reconcile", "duplicates"],
    ],
    ids=" ".join,
)
def test_every_command_that_shows_crm_text_shows_it_literally(
    world: tuple[Path, str], command: list[str]
) -> None:
    config, _ = world
    _shown_literally(_run(*command, "--config", str(config)))


def test_plan_explain_shows_deal_names_literally(world: tuple[Path, str]) -> None:
    config, _ = world
    # the tiny sandbox pays commission in the third quarter
    ran = _run("plan", "run", "--period", "2026-Q3", "--json", "--config", str(config))
    assert ran.returncode == 0, ran.stderr
    paid = next(e for e in orjson.loads(ran.stdout)["employees"] if "commission" in e["totals"])
    result = _run(
        "plan", "explain", "--employee", paid["employee"], "--period", "2026-Q3",
        "--config", str(config),
    )  # fmt: skip
    _shown_literally(result)
