"""A CRM split reaches a statement line in the demo: the sandbox company (small, seed 7)
with the demo's configuration (``compensation.crm_splits: use``), synced, reconciled and
audited, July 2026 run, then the statement rendered as ``crmsync statements render`` does.

Kestrel Labs - Service contract, 166,586.12 GBP, won 2026-07-05, carries a Salesforce
revenue split of 70% to Jennifer Esposito and 30% to a colleague (the ground truth's
``deal_splits``); the acts would have credited it otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from compensation.plans import Period
from sandbox import DEFAULT_ANCHOR
from sync.audit.audits import run_audit
from sync.compute.periods import run_plans
from sync.compute.statements import statements_for_period
from sync.config import load_config
from sync.config.audit import AuditConfig
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.mail.service import make_renderer
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
REP = "Jennifer Esposito"
DEAL = "Kestrel Labs - Service contract"


def test_a_crm_split_is_a_line_of_the_demo_statement(tmp_path: Path) -> None:
    demo = run_demo(tmp_path, seed=7, scale="small", anchor=DEFAULT_ANCHOR)
    assert demo.ok
    config = load_config(demo.config_path)
    assert config.compensation.crm_splits == "use"
    engine = open_store(demo.store_url)
    reconcile(engine, ReconcileConfig(), NOW, "full")
    run_audit(engine, AuditConfig(), NOW)
    run_plans(
        engine,
        config.compensation,
        Period.parse("2026-07"),
        now=datetime(2026, 7, 31, 18, tzinfo=UTC),
    )
    (statement,) = [
        s for s in statements_for_period(engine, config, "2026-07") if s.recipient.name == REP
    ]
    (line,) = [p for p in statement.payable if p.deal_name == DEAL]
    # 70% of 166,586.12 GBP = 116,610.284 → 116,610.28 GBP; × 1.34 (GBP→USD from
    # 2026-01-01) = 156,257.7752 USD (converted exactly; shown as $156,257.78). Field
    # sales v2, marginal tiers on a monthly quota of 100,000: Blue Heron (4 July,
    # 6,495.17 CHF × 1.26 = 8,183.9142 USD) came first, so this line fills tier 1 up to
    # 50,000 (41,816.0858 at 2% = 836.321716), tier 2 (50,000 at 4% = 2,000), tier 3
    # (50,000 at 6% = 3,000) and 14,441.6894 of tier 4 at 3% (433.250682):
    # 6,269.572398 → 6,269.57 USD.
    assert (line.slot, line.pool, line.share) == ("split", "revenue", Decimal("0.7"))
    assert (line.credited_amount, line.currency) == (Decimal("116610.28"), "GBP")
    assert line.converted_amount == Decimal("156257.7752")
    assert line.amount == Decimal("6269.57")
    assert line.split == "CRM split: 70%"
    text = make_renderer(config).render(statement).text
    assert (
        "* Kestrel Labs - Service contract: $6,269.57\n"
        "  Your role: CRM split · Share 70% · Credited $156,257.78 · Rate 4.01%\n"
    ) in text
    assert (
        "  £116,610.28 converted at 1.34 (rate of Jan 1, 2026: Altamira treasury, monthly "
        "reference rates)\n  Why this share: CRM split: 70%\n"
    ) in text
    engine.dispose()
