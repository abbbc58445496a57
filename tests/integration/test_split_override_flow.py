"""An admin's split override of one deal, through the real path: the sandbox's tiny
company (seed 5) synced and reconciled, October run and closed on a flat 10% plan, then
an override written in the plans directory and November run. The closed October is never
rewritten: the change to what it paid posts in November, from the override's effective
day on, and explain and the pay line say who set it and why.

Deal 0065g0000000007AAA, "Thames Valley Assay - Spectrophotometer", 5,586.98 CHF, won
2026-10-15 by Richard Davis; CHF→USD 1.24 from 2026-10-01 (rates below)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from compensation.plans import Period
from sync.compute.history import closed_periods
from sync.compute.periods import close, explain, run_plans
from sync.compute.statements import statements_for_period
from sync.config import CrmsyncConfig
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config

D = Decimal
DEAL = "salesforce:deals:0065g0000000007AAA"
OCTOBER, NOVEMBER = Period.parse("2026-10"), Period.parse("2026-11")
TEAMS = ["leadership", "marketing", "call_centre", "field_sales", "service", "iberia_sales"]

FLAT = """\
plan: flat
version: 1
effective_from: 2025-01-01
currency: USD
period: month
crediting:
  slots:
    - {name: close, weight: "100%", kinds: [deal_owner], pick: last}
components:
  - name: revenue_commission
    kind: commission
    tiers:
      - {from: "0%", rate: "10%"}
"""
RATES = """\
rates:
  - {date: 2026-10-01, from: CHF, to: USD, rate: "1.24"}
  - {date: 2026-10-01, from: EUR, to: USD, rate: "1.10"}
"""
OVERRIDE = """\
split_overrides:
  - deal: 0065g0000000007AAA
    effective: 2026-11-03
    by: Anthony Dubois
    reason: William ran the demo; agreed at the pipeline review
    shares:
      richard.davis@altamira-instruments.com: "60%"
      William Girard: "40%"
"""


def _plans(tmp_path: Path) -> Path:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "flat.yaml").write_text(FLAT)
    (plans / "rates.yaml").write_text(RATES)
    assignments = [f"  - {{plan: flat, team: {t}, from: 2025-01-01}}" for t in TEAMS]
    (plans / "assignments.yaml").write_text(
        f"teams: [{', '.join(TEAMS)}]\nroles: []\nassignments:\n" + "\n".join(assignments)
    )
    return plans


def _deal_lines(run: object, who: str) -> list[tuple[str, str, D]]:
    (mine,) = [e for e in run.result.employees if e.employee == who]  # type: ignore[attr-defined]
    return sorted((x.kind, x.key, x.amount) for x in mine.lines if x.deal == DEAL)


def test_an_override_posts_in_the_open_period_from_its_effective_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox(seed=5) as sandbox:
        config = write_config(sandbox, tmp_path, url)
        for crm in ("salesforce", "hubspot", "zoho"):
            run_sync(config, crm)
    plans = _plans(tmp_path)
    settings = CompensationConfig.model_validate(
        {"plans_dir": plans, "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}}}
    )
    now = datetime(2026, 11, 30, 18, tzinfo=UTC)
    with opened(url) as engine:
        reconcile(engine, ReconcileConfig(), now, "full")
        october = run_plans(engine, settings, OCTOBER, now=datetime(2026, 10, 31, 18, tzinfo=UTC))
        directory = october.prepared.directory
        richard = directory.find("richard.davis@altamira-instruments.com")
        william = directory.find("william.girard@altamira-instruments.com")
        assert richard and william
        # October, by the acts: Richard owns the deal, the close slot is his whole.
        # 5,586.98 CHF × 1.24 = 6,927.8552 → 6,927.86 USD; 10% = 692.786 → 692.79.
        close_key = f"commission|revenue_commission|{DEAL}|revenue|close"
        assert _deal_lines(october, richard) == [("commission", close_key, D("692.79"))]
        close(engine, OCTOBER, closed_on=date(2026, 11, 2), by="payroll", now=now)
        paid = closed_periods(engine)[0].result

        (plans / "overrides.yaml").write_text(OVERRIDE)
        # A run as of the day before the override takes effect does not see it.
        before = run_plans(
            engine, settings, NOVEMBER, now=now, as_of=date(2026, 11, 2), dry_run=True
        )
        assert _deal_lines(before, richard) == []
        november = run_plans(engine, settings, NOVEMBER, now=now)
        override_key = f"commission|revenue_commission|{DEAL}|revenue|override"
        # 60% of 5,586.98 = 3,352.188 → 3,352.19 CHF; 40% = 2,234.792 → 2,234.79 (sums to
        # 5,586.98). In USD: 3,352.19 × 1.24 = 4,156.7156 → 4,156.72, 10% = 415.672 →
        # 415.67; 2,234.79 × 1.24 = 2,771.1396 → 2,771.14, 10% = 277.114 → 277.11.
        # Richard's October close line (692.79) now computes 0: -692.79 posts here.
        assert _deal_lines(november, richard) == [
            ("prior_period", f"prior|2026-10|{close_key}", D("-692.79")),
            ("prior_period", f"prior|2026-10|{override_key}", D("415.67")),
        ]
        assert _deal_lines(november, william) == [
            ("prior_period", f"prior|2026-10|{override_key}", D("277.11")),
        ]
        # The closed October is what was paid, unchanged.
        assert closed_periods(engine)[0].result == paid
        told = explain(engine, settings, NOVEMBER, richard, now=now)
        crmsync = CrmsyncConfig.model_validate({"compensation": settings.model_dump()})
        statements = statements_for_period(engine, crmsync, NOVEMBER.key)
    (line,) = [x for x in told["lines"] if x["key"] == f"prior|2026-10|{override_key}"]
    said = (
        "split set by Anthony Dubois effective 2026-11-03: "
        "William ran the demo; agreed at the pipeline review"
    )
    assert line["detail"]["credit"] == f"{said}: 60%"
    assert line["deal"]["crediting"]["reason"] == f"{said}: 60%"
    assert line["deal"]["slot"] == "override"
    # Richard's November statement: the changes to October, by deal name, with the split.
    (mine,) = [x for x in statements if x.recipient.employee_id == richard]
    deal = "Thames Valley Assay - Spectrophotometer, revenue commission"
    assert sorted((a.amount, a.reason, a.origin_period) for a in mine.adjustments) == [
        (D("-692.79"), f"{deal}: paid 692.79 in 2026-10, now computes 0", "2026-10"),
        (D("415.67"), f"{deal}: paid 0 in 2026-10, now computes 415.67 ({said}: 60%)", "2026-10"),
    ]
