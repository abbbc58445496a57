"""A Zoho org's per-deal exchange rates, through the real path: the sandbox's multi-currency
org (home currency USD, each deal saved with ``Currency`` and ``Exchange_Rate``), ``crmsync
sync`` storing the rates the deals were saved at, and a plan run converting a Zoho deal at
its own rate (``compensation.crm_rates: [zoho]`` and ``rate_date: created_at``)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import yaml

from compensation.plans import Period
from compensation.rates import RateTable
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.zoho.currencies import org_rate
from sync.compute.crm_rates import with_crm_rates
from sync.compute.periods import run_plans
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from sync.store.rates import stored_rates
from tests.integration.contract_suite import run_sync
from tests.integration.sync_support import opened, write_config

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
WON = "5725767000000000012"  # tiny seed 7: 16,346.01 EUR, created 2025-11-05, won 2025-11-16


def _plans(tmp_path: Path) -> Path:
    """The example plans, the Iberian one paying in dollars at each deal's creation rate."""
    plans = tmp_path / "plans"
    shutil.copytree(REPO / "config" / "plans", plans)
    path = plans / "iberia_sales.yaml"
    text = path.read_text().replace("currency: EUR\nperiod", "currency: USD\nperiod")
    path.write_text(text.replace("rate_date: close_date", "rate_date: created_at"))
    return plans


def _settings(plans: Path) -> CompensationConfig:
    return CompensationConfig.model_validate(
        {
            "plans_dir": plans,
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
            "crm_rates": ["zoho"],
        }
    )


def test_zoho_deals_rates_are_synced_and_convert_a_deal_at_its_own_rate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    options = SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        config = write_config(sandbox, tmp_path, url, ("zoho",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["exchange_rates"] = True
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        streams = {s.stream: s for s in run_sync(config, "zoho")}
        assert sandbox.world is not None
        deal = sandbox.world.zoho["Deals"].rows[WON]
    # the emulator saved the deal at the org's rate of its creation month
    assert (deal["Currency"], deal["Amount"], deal["Stage"]) == ("EUR", 16346.01, "Closed Won")
    assert deal["Exchange_Rate"] == org_rate(7, "tiny", "EUR", date(2025, 11, 5)) == 0.918019
    # tiny seed 7's four euro deals were saved on 2025-11-05 (0.918019), 2026-04-03 and
    # 2026-04-08 (both 0.907424: one row), 2026-10-20 (0.938403); the dollar ones at 1
    rates = streams["exchange_rates"]
    assert (rates.status, rates.counts.inserted) == ("succeeded", 3)
    with opened(url) as engine:
        stored = [
            (r.base, r.quote, r.start, r.rate, r.origin) for r in stored_rates(engine, "zoho")
        ]
        assert stored == [
            ("USD", "EUR", date(2025, 11, 5), Decimal("0.918019"), "Deals.Exchange_Rate"),
            ("USD", "EUR", date(2026, 4, 3), Decimal("0.907424"), "Deals.Exchange_Rate"),
            ("USD", "EUR", date(2026, 10, 20), Decimal("0.938403"), "Deals.Exchange_Rate"),
        ]
        plans = _plans(tmp_path)
        table = with_crm_rates(engine, _settings(plans), RateTable([]))
        eur = table.rate("EUR", "USD", date(2025, 11, 5))
        assert (eur.value, eur.date, eur.source) == (
            Decimal(1) / Decimal("0.918019"),
            date(2025, 11, 5),
            "inverse of zoho Deals.Exchange_Rate",
        )
        # by hand: 16,346.01 / 0.918019 = 17,805.74 (17,805.7425…) dollars
        assert (Decimal("16346.01") * eur.value).quantize(Decimal("0.01")) == Decimal("17805.74")
        reconcile(engine, ReconcileConfig(), NOW, "full")
        run = run_plans(engine, _settings(plans), Period.parse("2025-Q4"), now=NOW, dry_run=True)
    lines = [
        line for e in run.result.employees for line in e.lines if f"zoho:deals:{WON}" in line.key
    ]
    assert lines
    for line in lines:
        assert (line.original_currency, line.currency) == ("EUR", "USD")
        assert (line.fx_rate, line.fx_date) == (Decimal(1) / Decimal("0.918019"), date(2025, 11, 5))
        assert line.fx_source == "inverse of zoho Deals.Exchange_Rate"
        assert line.converted_amount == line.original_amount * (Decimal(1) / Decimal("0.918019"))
    # the close slot's 40% of 16,346.01 EUR (largest remainder: 6,538.41) is, by hand,
    # 6,538.41 / 0.918019 = 7,122.30 (7,122.3035…) dollars
    (close,) = [line for line in lines if line.key.endswith("|revenue|close")]
    assert close.original_amount == Decimal("6538.41")
    assert close.converted_amount.quantize(Decimal("0.01")) == Decimal("7122.30")
