"""``crmsync plan`` against a synced, reconciled sandbox store changed the way a CRM
changes: someone leaves, a refund is typed as a won deal. No draw after leaving, the
negative deal is a stored warning, and ``plan explain`` states the plan's policies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from sync.reconcile import load_identity_map
from sync.store import open_store
from tests import cli_process
from tests.e2e.plan_support import plan_workspace

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "sync"]
PERIOD = "2026-03"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=180)


def _json(*args: str) -> Any:
    result = _run(*args, "--json")
    assert result.returncode == 0, result.stderr
    return orjson.loads(result.stdout)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workspace = tmp_path_factory.mktemp("plan-pay-rules")
    return plan_workspace(workspace)


def test_leaver_gets_no_draw_and_a_negative_won_deal_is_a_stored_warning(
    setup: tuple[Path, str],
) -> None:
    config, url = setup
    c = ("--config", str(config))
    before = _json("plan", "run", "--period", PERIOD, "--dry-run", *c)
    drawn = [
        e
        for e in before["employees"]
        if "draw_top_up" in e["totals"] and "commission" in e["totals"]
    ]
    assert drawn, "the demo month has someone topped up to a draw"
    leaver = drawn[0]["employee"]
    engine = open_store(url)
    identities = load_identity_map(engine)
    with engine.begin() as db:
        users = db.execute(sa.text("select id, source, remote_id from users")).all()
        for row_id, source, remote_id in users:
            if leaver in (identities.employee_of(source, remote_id), f"{source}:{remote_id}"):
                db.execute(
                    sa.text("update users set is_active = :f where id = :i"),
                    {"f": False, "i": row_id},
                )
        deal_id, source, remote_id = db.execute(
            sa.text(
                "select id, source, remote_id from deals where is_won and close_date "
                "between '2026-03-01' and '2026-03-31' order by source, remote_id limit 1"
            )
        ).one()
        db.execute(sa.text("update deals set amount = '-2000.00' where id = :i"), {"i": deal_id})
    engine.dispose()

    run = _run("plan", "run", "--period", PERIOD, *c)
    assert run.returncode == 0, run.stderr
    shown = " ".join(run.stderr.split())  # the console wraps long lines
    assert f"warning: deal {source}:deals:{remote_id} (" in shown
    stored = _json("plan", "run", "--period", PERIOD, *c)
    (warned,) = [w for w in stored["warnings"] if "negative amount" in w]
    assert warned.startswith(f"deal {source}:deals:{remote_id} (")
    assert "with a negative amount, -2000.00 USD: paid as negative lines to " in warned
    assert warned.endswith(
        "(plan key gates.negative_amount: pay | withhold); check the deal in the CRM"
    )
    assert " ".join(warned.split()) in shown
    after = {e["employee"]: e for e in stored["employees"]}
    assert leaver in after and "draw_top_up" not in after[leaver]["totals"]

    explained = _json("plan", "explain", "--employee", leaver, "--period", PERIOD, *c)
    assert explained["notes"][0] == (
        "left (inactive in every CRM): no draw is paid for a period after the last day worked"
    )
    assert "none for a period after the last day worked" in explained["policies"]["draw"]
    text = _run("plan", "explain", "--employee", leaver, "--period", PERIOD, *c)
    assert text.returncode == 0 and "plan policies" in text.stdout
    assert "gates.negative_amount: pay" in text.stdout
