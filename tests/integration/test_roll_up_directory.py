"""Roll-up levels from the synced directory, dated as the store saw it: the sandbox's
tiny company (seed 5) synced and reconciled; a flat 10% plan whose crediting declares a
manager pool (10%) and a director pool (level 2, 5%).

Richard Davis (field sales) won "Thames Valley Assay - Spectrophotometer", 5,586.98 CHF,
on 2026-10-15; CHF→USD 1.24 from 2026-10-01. His manager is the field-sales manager,
Thomas López; ``reports_to: {field_sales: leadership}`` puts Thomas under the leadership
head, Anthony Dubois. In November the field-sales team is moved under marketing (Thomas
Moreau): the October deal's roll-ups stay where they were when it closed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from compensation.inputs import ManagerSpan
from compensation.plans import Period
from sync.compute.managers import manager_spans
from sync.compute.periods import close, run_plans
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config

D = Decimal
DEAL = "salesforce:deals:0065g0000000007AAA"
TEAMS = ["leadership", "marketing", "call_centre", "field_sales", "service", "iberia_sales"]
PLAN = """\
plan: flat
version: 1
effective_from: 2025-01-01
currency: USD
period: month
crediting:
  slots:
    - {name: close, weight: "100%", kinds: [deal_owner], pick: last}
  pools:
    manager: {manager_of: revenue, budget: "10%"}
    director: {manager_of: revenue, level: 2, budget: "5%"}
components:
  - name: commission
    kind: commission
    pools: [revenue, manager, director]
    tiers:
      - {from: "0%", rate: "10%"}
"""


def _settings(plans: Path, reports_to: str) -> CompensationConfig:
    return CompensationConfig.model_validate(
        {
            "plans_dir": plans,
            "directory": {
                "source_defaults": {"zoho": {"team": "iberia_sales"}},
                "reports_to": {"field_sales": reports_to},
            },
        }
    )


def _lines(run: Any, who: str) -> list[tuple[str, str, D]]:
    (mine,) = [e for e in run.result.employees if e.employee == who]
    return sorted((x.kind, x.key, x.amount) for x in mine.lines if x.deal == DEAL)


def test_director_pools_pay_from_the_directory_dated_as_observed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox(seed=5) as sandbox:
        config = write_config(sandbox, tmp_path, url)
        for crm in ("salesforce", "hubspot", "zoho"):
            run_sync(config, crm)
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "flat.yaml").write_text(PLAN)
    (plans / "rates.yaml").write_text(
        'rates:\n  - {date: 2026-10-01, from: CHF, to: USD, rate: "1.24"}\n'
        '  - {date: 2026-10-01, from: EUR, to: USD, rate: "1.10"}\n'
    )
    (plans / "assignments.yaml").write_text(
        f"teams: [{', '.join(TEAMS)}]\nroles: []\nassignments:\n"
        + "\n".join(f"  - {{plan: flat, team: {t}, from: 2025-01-01}}" for t in TEAMS)
    )
    october_now = datetime(2026, 10, 31, 18, tzinfo=UTC)
    with opened(url) as engine:
        reconcile(engine, ReconcileConfig(), october_now, "full")
        october = run_plans(
            engine, _settings(plans, "leadership"), Period.parse("2026-10"), now=october_now
        )
        find = october.prepared.directory.find
        lopez = find("thomas.lopez@altamira-instruments.com")
        dubois = find("anthony.dubois@altamira-instruments.com")
        moreau = find("thomas.moreau@altamira-instruments.com")
        richard = find("richard.davis@altamira-instruments.com")
        assert lopez and dubois and moreau and richard
        # Manager pool 10% of 5,586.98 = 558.698 → 558.70 CHF; × 1.24 = 692.788 USD; 10%
        # = 69.2788 → 69.28. Director pool 5% = 279.349 → 279.35 CHF; × 1.24 = 346.394;
        # 10% = 34.6394 → 34.64.
        assert _lines(october, lopez) == [
            ("commission", f"commission|commission|{DEAL}|manager|close", D("69.28"))
        ]
        assert _lines(october, dubois) == [
            ("commission", f"commission|commission|{DEAL}|director|close", D("34.64"))
        ]
        close(
            engine,
            Period.parse("2026-10"),
            closed_on=date(2026, 11, 2),
            by="payroll",
            now=october_now,
        )
        # The reorganisation: field sales now reports to marketing.
        november_now = datetime(2026, 11, 30, 18, tzinfo=UTC)
        november = run_plans(
            engine, _settings(plans, "marketing"), Period.parse("2026-11"), now=november_now
        )
        spans = [s for s in manager_spans(engine) if s.employee in (lopez, richard)]
    assert sorted(spans, key=lambda s: (s.employee, s.start)) == sorted(
        [
            ManagerSpan(lopez, dubois, date.min, date(2026, 11, 29)),
            ManagerSpan(lopez, moreau, date(2026, 11, 30)),
            ManagerSpan(richard, lopez, date.min),
        ],
        key=lambda s: (s.employee, s.start),
    )
    # The October deal closed under the old chain: nothing moves to Thomas Moreau, nothing
    # is taken back from Anthony Dubois (without the history, the re-run October would
    # post 34.64 to one and -34.64 to the other).
    assert _lines(november, dubois) == []
    assert all(
        e.employee != moreau or not _lines(november, moreau) for e in november.result.employees
    )
