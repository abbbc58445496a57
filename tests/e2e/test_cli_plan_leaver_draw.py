"""``crmsync plan run`` on a synced, reconciled sandbox store: someone whose last day
worked (``compensation.directory.overrides.<employee>.left_on``) falls inside the month
is paid the month's draw prorated to the days worked."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests import cli_process
from tests.e2e.plan_support import plan_workspace

CLI = [sys.executable, "-m", "sync"]
PERIOD = "2026-03"


def _json(*args: str) -> Any:
    result = cli_process.run([*CLI, *args, "--json"], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return plan_workspace(tmp_path_factory.mktemp("plan-leaver-draw"))


def test_a_leaver_mid_month_is_paid_the_draw_prorated_to_the_days_worked(
    setup: tuple[Path, str],
) -> None:
    config, _ = setup
    before = _json("plan", "run", "--period", PERIOD, "--dry-run", "--config", str(config))
    drawn = [
        e
        for e in before["employees"]
        if "draw_top_up" in e["totals"] and e["plan"].startswith("call_centre@")
    ]
    assert drawn, "the demo month has a call-centre agent topped up to the draw"
    leaver = drawn[0]["employee"]
    settings = yaml.safe_load(config.read_text())
    settings["compensation"]["directory"]["overrides"] = {leaver: {"left_on": "2026-03-15"}}
    config.write_text(yaml.safe_dump(settings))

    after = _json("plan", "run", "--period", PERIOD, "--config", str(config))
    (rep,) = [e for e in after["employees"] if e["employee"] == leaver]
    # The call-centre draw is 500.00 a month (non-recoverable); March has 31 days and
    # 1 to 15 March is 15 of them: 500 x 15 / 31 = 241.9354... = 241.94 (half up).
    earned = Decimal(rep["total"]) - Decimal(rep["totals"]["draw_top_up"])
    assert Decimal(rep["totals"]["draw_top_up"]) == Decimal("241.94") - earned
    assert Decimal(rep["total"]) == Decimal("241.94")
    explained = _json(
        "plan", "explain", "--employee", leaver, "--period", PERIOD, "--config", str(config)
    )
    assert explained["notes"] == [
        "left on 2026-03-15, after 15 of the 31 days of 2026-03: the draw of 500.00 USD is "
        "prorated to 241.94 USD"
    ]
    assert "prorated to the days worked in the period of leaving" in explained["policies"]["draw"]
