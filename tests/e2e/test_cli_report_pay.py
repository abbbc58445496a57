"""``crmsync report pay``: the managers see what each period's latest plan run warned about
(money nobody is paid on or told about), the same warnings ``plan run`` printed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, text

from tests import cli_process
from tests.e2e.plan_support import plan_workspace

CLI = [sys.executable, "-m", "sync"]


def _json(*args: str) -> Any:
    result = cli_process.run([*CLI, *args, "--json"], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


def _lose_the_owner_of_a_deal_won_in_march(url: str) -> str:
    """The store as a sync leaves it when the CRM's deal has no owner (a deleted user)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        source, remote_id = conn.execute(
            text(
                "SELECT source, remote_id FROM deals WHERE is_won AND close_date >= '2026-03-01'"
                " AND close_date < '2026-04-01' ORDER BY source, remote_id LIMIT 1"
            )
        ).one()
        conn.execute(
            text("UPDATE deals SET owner_id = NULL WHERE source = :s AND remote_id = :r"),
            {"s": source, "r": remote_id},
        )
    engine.dispose()
    return f"{source}:deals:{remote_id}"


def test_the_pay_report_shows_each_periods_latest_run_and_its_warnings(tmp_path: Path) -> None:
    path, url = plan_workspace(tmp_path)
    config = ("--config", str(path))
    empty = _json("report", "pay", *config)
    assert (empty["rows"], empty["summary"]) == ([], [])

    march = _json("plan", "run", "--period", "2026-03", *config)
    assert march["warnings"] == []
    ownerless = _lose_the_owner_of_a_deal_won_in_march(url)
    april = _json("plan", "run", "--period", "2026-04", *config)
    again = _json("plan", "run", "--period", "2026-03", *config)  # the latest run counts
    report = _json("report", "pay", *config)
    assert [(s["period"], s["run"], s["warnings"]) for s in report["summary"]] == [
        ("2026-03", again["run_id"], len(again["warnings"])),
        ("2026-04", april["run_id"], len(april["warnings"])),
    ]
    assert again["run_id"] > april["run_id"] > march["run_id"]
    expected = [["2026-03", again["run_id"], w] for w in again["warnings"]] + [
        ["2026-04", april["run_id"], w] for w in april["warnings"]
    ]
    assert report["rows"] == expected
    mine = [row for row in report["rows"] if row[2].split(" (")[0] == f"deal {ownerless}"]
    assert len(mine) == 1 and "has no owner in the CRM" in mine[0][2]
    # No other warning: the Dynamics subsidiary's sellers are on the DACH plan (before it,
    # each of their won deals warned that its seller was on no plan).
    assert [row for row in report["rows"] if row not in mine] == []

    table = cli_process.run(
        [*CLI, "report", "pay", *config], capture_output=True, text=True, timeout=180
    )
    assert table.returncode == 0, table.stderr
    assert "Latest plan run per period" in table.stdout
    assert "has no owner in the CRM" in table.stdout
