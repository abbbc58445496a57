"""CRM opportunity splits credit won deals through the real path: the sandbox's three
CRMs synced, reconciled, then a plan run with ``compensation.crm_splits: use``. The
expected credits are worked out by hand from the ground truth's split rows (seed 5 of the
tiny world has one 70/30 revenue split and one deal with an overlay split)."""

from __future__ import annotations

from collections import defaultdict
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
SHARED = "salesforce:deals:0065g0000000005AAA"  # 11,129.48 CHF: E000004 70%, E000014 30%
OVERLAID = "salesforce:deals:0065g0000000007AAA"  # 5,586.98 CHF: E000014 100%, overlay E000004


def _settings(crm_splits: str) -> CompensationConfig:
    return CompensationConfig.model_validate(
        {
            "plans_dir": REPO / "config" / "plans",
            "crm_splits": crm_splits,
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
        }
    )


def test_won_deals_are_credited_by_their_crm_splits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox(seed=5) as sandbox:
        config = write_config(sandbox, tmp_path, url)
        for crm in ("salesforce", "hubspot", "zoho"):
            run_sync(config, crm)
        world = sandbox.world
        assert world is not None
        truth: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in world.truth.files["deal_splits"]:
            truth[f"salesforce:deals:{row['deal']}"].append(row)
        people = {e["employee_id"]: e["accounts"] for e in world.truth.files["employees"]}
    assert sorted((r["employee_id"], r["type"], r["percent"]) for r in truth[SHARED]) == [
        ("E000004", "revenue", "70.00"),
        ("E000014", "revenue", "30.00"),
    ]
    assert sorted((r["employee_id"], r["type"], r["percent"]) for r in truth[OVERLAID]) == [
        ("E000004", "overlay", "100.00"),
        ("E000014", "revenue", "100.00"),
    ]
    with opened(url) as engine:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        used = run_plans(engine, _settings("use"), Period.parse("2026-10"), now=NOW, dry_run=True)
        ignored = run_plans(
            engine, _settings("ignore"), Period.parse("2026-10"), now=NOW, dry_run=True
        )
        september = run_plans(
            engine, _settings("use"), Period.parse("2026-09"), now=NOW, dry_run=True
        )
    directory = used.prepared.directory
    # Split owners are CRM users mapped through the reconciled identity, like deal owners:
    # each person's users in every CRM share one employee key.
    ours = {}
    for person in ("E000004", "E000014"):
        keys = {directory.key_of(a["crm"], a["user_id"]) for a in people[person]}
        assert len(keys) == 1, keys
        ours[person] = keys.pop()
    rep, partner = ours["E000004"], ours["E000014"]
    assert used.prepared.warnings == []

    def lines(run: Any, deal: str) -> list[tuple[str, str | None, str, Decimal, Decimal, str]]:
        return sorted(
            (c.pool, c.employee, c.slot, c.share, c.amount, c.currency)
            for c in run.prepared.inputs.credits
            if c.deal == deal and c.pool in ("revenue", "overlay")
        )

    # 11,129.48 × 70% = 7,790.636 and × 30% = 3,338.844: 7,790.63 + 3,338.84 leave one
    # cent, which goes to the larger remainder (0.006): 7,790.64 and 3,338.84.
    assert lines(used, SHARED) == sorted(
        [
            ("revenue", rep, "split", Decimal("0.7"), Decimal("7790.64"), "CHF"),
            ("revenue", partner, "split", Decimal("0.3"), Decimal("3338.84"), "CHF"),
        ]
    )
    # The manager pool (10%: 1,112.948 -> 1,112.95) rolls up the split owners, not the
    # acts' payees: the partner reports to the rep (who has no manager: house credit).
    # 779.065 and 333.885 tie on the half cent; the engine's tie-break gives it to the
    # house line.
    managers = sorted(
        (c.employee or "", c.slot, c.share, c.amount)
        for c in used.prepared.inputs.credits
        if c.deal == SHARED and c.pool == "manager"
    )
    assert managers == sorted(
        [
            ("", "split", Decimal("0.7"), Decimal("779.07")),
            (rep, "split", Decimal("0.3"), Decimal("333.88")),
        ]
    )
    # The overlay is a separate credit of the whole deal. The revenue split is the owner
    # alone at 100%, what the CRM stores on every deal by default: it decides nothing, so
    # the revenue pool keeps the plan's crediting by the acts (summing to the deal).
    overlaid = lines(used, OVERLAID)
    assert [x for x in overlaid if x[0] == "overlay"] == [
        ("overlay", rep, "split", Decimal(1), Decimal("5586.98"), "CHF")
    ]
    revenue = [x for x in overlaid if x[0] == "revenue"]
    assert revenue == [x for x in lines(ignored, OVERLAID) if x[0] == "revenue"]
    assert all(x[2] != "split" for x in revenue)
    assert sum(x[4] for x in revenue) == Decimal("5586.98")
    # The split credit reaches the partner's pay (September, when the shared deal closed):
    # a line keyed by the split slot.
    (mine,) = [e for e in september.result.employees if e.employee == partner]
    assert f"commission|revenue_commission|{SHARED}|revenue|split" in {x.key for x in mine.lines}
    # ignore (the default) credits the same deals from acts, by the plan's slots.
    assert all(line[2] != "split" for line in lines(ignored, SHARED) + lines(ignored, OVERLAID))
    assert sum(line[4] for line in lines(ignored, SHARED) if line[0] == "revenue") == Decimal(
        "11129.48"
    )
