"""Oracle's sales credits credit won deals through the real path, as Salesforce's splits
do: the sandbox's Salesforce and Oracle synced, reconciled, then a plan run with
``compensation.crm_splits: use``.

In the tiny world of seed 1 the division's strategic deal (the largest won, 360,000.00
USD, closed 2026-10-08) is split 60/40 between its owner (OE0001) and a second key
account manager (OE0002), with a nonrevenue (overlay) credit of 100% for E000004, a
field seller who also works in Oracle: 216,000.00 and 144,000.00 in the revenue pool,
360,000.00 in the overlay pool. Every other Oracle deal keeps the default credit (its
owner alone at 100%, which decides nothing) or is not won, so no warning.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from compensation.plans import Period
from sync.compute.periods import run_plans
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
OPTY = "300000001000091"
STRATEGIC = f"oracle:deals:{OPTY}"


def _settings(crm_splits: str) -> CompensationConfig:
    return CompensationConfig.model_validate(
        {
            "plans_dir": REPO / "config" / "plans",
            "crm_splits": crm_splits,
            "directory": {"source_defaults": {"oracle": {"team": "field_sales"}}},
        }
    )


def test_an_oracle_deal_is_credited_by_its_sales_credits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox(seed=1) as sandbox:
        config = write_config(sandbox, tmp_path, url, ("salesforce", "oracle"))
        for crm in ("salesforce", "oracle"):
            run_sync(config, crm)
        world = sandbox.world
        assert world is not None
        truth = [r for r in world.truth.files["deal_splits"] if r["deal"] == OPTY]
        users = {r["employee_id"]: r["user_id"] for r in world.truth.files["oracle_employees"]}
        (opportunity,) = [o for o in world.oracle["opportunities"].live() if o["OptyId"] == OPTY]
    assert (opportunity["StatusCode"], opportunity["Revenue"], opportunity["CurrencyCode"]) == (
        "WON",
        360000.0,
        "USD",
    )
    assert sorted((r["object"], r["employee_id"], r["type"], r["percent"]) for r in truth) == [
        ("ChildRevenue", "OE0001", "revenue", "60.00"),
        ("ChildSplitRevenue", "E000004", "overlay", "100.00"),
        ("ChildSplitRevenue", "OE0002", "revenue", "40.00"),
    ]
    with opened(url) as engine:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        used = run_plans(engine, _settings("use"), Period.parse("2026-10"), now=NOW, dry_run=True)
        ignored = run_plans(
            engine, _settings("ignore"), Period.parse("2026-10"), now=NOW, dry_run=True
        )
    directory = used.prepared.directory
    owner, partner, specialist = (
        directory.key_of("oracle", users[e]) for e in ("OE0001", "OE0002", "E000004")
    )
    assert None not in (owner, partner, specialist)
    assert used.prepared.warnings == []

    def lines(run: Any) -> list[tuple[str, str | None, str, Decimal, Decimal, str]]:
        return sorted(
            (c.pool, c.employee, c.slot, c.share, c.amount, c.currency)
            for c in run.prepared.inputs.credits
            if c.deal == STRATEGIC and c.pool in ("revenue", "overlay")
        )

    # 360,000.00 × 60% = 216,000.00 and × 40% = 144,000.00; the overlay is a separate
    # credit of the whole deal, never taken from the revenue credit.
    assert lines(used) == sorted(
        [
            ("revenue", owner, "split", Decimal("0.6"), Decimal("216000.00"), "USD"),
            ("revenue", partner, "split", Decimal("0.4"), Decimal("144000.00"), "USD"),
            ("overlay", specialist, "split", Decimal(1), Decimal("360000.00"), "USD"),
        ]
    )
    # ignore (the default): the acts credit the deal, by the plan's slots, no overlay
    plain = lines(ignored)
    assert all(line[2] != "split" for line in plain)
    assert sum(line[4] for line in plain if line[0] == "revenue") == Decimal("360000.00")
