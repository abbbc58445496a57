"""A Salesforce org's dated exchange rates, through the real path: the sandbox with
advanced currency management, ``crmsync sync`` storing DatedConversionRate, and a plan run
converting deals at the CRM's rate on their close date (``compensation.crm_rates``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from compensation.plans import Period
from compensation.rates import RateTable
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.compute.crm_rates import with_crm_rates
from sync.compute.periods import run_plans
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.errors import UsageError
from sync.reconcile.reconciling import reconcile
from sync.store.rates import stored_rates
from tests.integration.contract_suite import run_sync
from tests.integration.sync_support import opened, write_config

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _settings(**values: object) -> CompensationConfig:
    return CompensationConfig.model_validate(
        {
            "plans_dir": REPO / "config" / "plans",
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
            **values,
        }
    )


def _with_rates(config: Path) -> None:
    data = yaml.safe_load(config.read_text())
    for source in data["sources"]:
        source["exchange_rates"] = source["name"] == "salesforce"
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def _world_rate(sandbox: Sandbox, code: str, on: date) -> tuple[str, Decimal]:
    assert sandbox.world is not None
    rows = [
        r
        for r in sandbox.world.salesforce["DatedConversionRate"].rows.values()
        if r["IsoCode"] == code and r["StartDate"] <= on < r["NextStartDate"]
    ]
    (row,) = rows
    return row["Id"], Decimal(str(row["ConversionRate"]))


def test_dated_rates_are_synced_and_convert_deals_at_their_close_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    options = SandboxOptions(seed=5, scale="tiny", anchor=DEFAULT_ANCHOR, dated_rates=True)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        config = write_config(sandbox, tmp_path, url)
        _with_rates(config)
        streams = {s.stream: s for s in run_sync(config, "salesforce")}
        # EUR, GBP, CHF and CAD: a rate from 0001-01-01 and one per month from May 2025
        # to October 2026 (18), 19 each
        first = streams["exchange_rates"]
        assert (first.status, first.counts.fetched, first.counts.inserted) == ("succeeded", 76, 76)
        again = {s.stream: s for s in run_sync(config, "salesforce")}["exchange_rates"]
        assert (again.counts.inserted, again.counts.unchanged, again.counts.updated) == (0, 76, 0)
        # the admin corrects October's euro rate: the next sync replaces it
        rid, _ = _world_rate(sandbox, "EUR", date(2026, 10, 15))
        sandbox.world.salesforce["DatedConversionRate"].update(  # type: ignore[union-attr]
            rid, {"ConversionRate": 0.925}, NOW
        )
        edited = {s.stream: s for s in run_sync(config, "salesforce")}["exchange_rates"]
        assert (edited.counts.updated, edited.counts.unchanged) == (1, 75)
        for crm in ("hubspot", "zoho"):
            run_sync(config, crm)
        _, chf = _world_rate(sandbox, "CHF", date(2026, 10, 15))
    with opened(url) as engine:
        stored = stored_rates(engine, "salesforce")
        assert len(stored) == 76
        assert {(r.base, r.quote) for r in stored} == {
            ("USD", q) for q in ("CAD", "CHF", "EUR", "GBP")
        }
        file_rates = RateTable(
            [
                ("EUR", "USD", date(2026, 1, 1), Decimal("1.10"), "treasury"),
                ("USD", "JPY", date(2026, 1, 1), Decimal("150"), "treasury"),
            ]
        )
        rates = with_crm_rates(engine, _settings(crm_rates=["salesforce"]), file_rates)
        # 1 USD = 0.925 EUR from 2026-10-01: 1 EUR = 1 / 0.925 USD, the file's 1.10 unused
        eur = rates.rate("EUR", "USD", date(2026, 10, 15))
        assert eur.value == Decimal(1) / Decimal("0.925")
        assert (eur.date, eur.source) == (
            date(2026, 10, 1),
            "inverse of salesforce DatedConversionRate",
        )
        assert Decimal("1000.00") * eur.value == Decimal("1081.081081081081081081081081")
        # a pair the CRM does not keep still comes from the file
        assert rates.rate("USD", "JPY", date(2026, 10, 15)).source == "treasury"
        with pytest.raises(UsageError, match="'hubspot', which has no stored exchange rates"):
            with_crm_rates(engine, _settings(crm_rates=["hubspot"]), file_rates)
        reconcile(engine, ReconcileConfig(), NOW, "full")
        run = run_plans(
            engine,
            _settings(crm_rates=["salesforce"]),
            Period.parse("2026-10"),
            now=NOW,
            dry_run=True,
        )
    converted = [
        line
        for e in run.result.employees
        for line in e.lines
        if line.fx_source and "DatedConversionRate" in line.fx_source
    ]
    # tiny seed 5 closes its October deals in CHF; October's franc rate in the world is
    # 0.887627 francs per dollar
    assert chf == Decimal("0.887627")
    assert {(line.original_currency, line.currency) for line in converted} == {("CHF", "USD")}
    assert all(line.fx_date == date(2026, 10, 1) for line in converted)
    assert all(line.fx_rate == Decimal(1) / chf for line in converted)
    # 5,586.98 CHF, its lead source's share 1/7: 798.14 CHF, at 1 / 0.887627 = 899.184 USD,
    # paid at 1%: 8.99
    (sourced,) = [
        line
        for line in converted
        if line.key == "commission|sourced_revenue|salesforce:deals:0065g0000000007AAA|revenue"
        "|lead_source"
    ]
    assert (sourced.original_amount, sourced.amount) == (Decimal("798.14"), Decimal("8.99"))
    # the rate is kept at full precision (1 / 0.887627 to 28 digits), the amount too
    assert sourced.converted_amount == Decimal("798.14") * (Decimal(1) / Decimal("0.887627"))
    assert sourced.converted_amount.quantize(Decimal("0.01")) == Decimal("899.18")


def test_hubspot_rates_come_first_for_their_pairs_when_listed_first(tmp_path: Path) -> None:
    """HubSpot keeps a rate per quarter for EUR, GBP and CHF (one franc per dollar the
    other way round from Salesforce); listed first, it converts those pairs, and
    Salesforce still gives CAD, which HubSpot does not keep."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    options = SandboxOptions(seed=5, scale="tiny", anchor=DEFAULT_ANCHOR, dated_rates=True)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        config = write_config(sandbox, tmp_path, url)
        data = yaml.safe_load(config.read_text())
        for source in data["sources"]:
            source["exchange_rates"] = source["name"] in ("salesforce", "hubspot")
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        hubspot = {s.stream: s for s in run_sync(config, "hubspot")}["exchange_rates"]
        run_sync(config, "salesforce")
        _, cad = _world_rate(sandbox, "CAD", date(2026, 10, 15))
        assert sandbox.world is not None
        (october,) = [
            r
            for r in sandbox.world.hubspot_rates
            if r["fromCurrencyCode"] == "CHF" and r["effectiveAt"].startswith("2026-10-01")
        ]
    # 3 currencies: a rate from the story's first day (2025-05-01) and one per quarter
    # from 2025-07-01 to 2026-10-01 (6): 21
    assert (hubspot.status, hubspot.counts.inserted) == ("succeeded", 21)
    with opened(url) as engine:
        rates = with_crm_rates(
            engine, _settings(crm_rates=["hubspot", "salesforce"]), RateTable([])
        )
    chf = rates.rate("CHF", "USD", date(2026, 10, 20))
    assert (chf.value, chf.source) == (
        Decimal(str(october["conversionRate"])),
        "hubspot exchange-rates",
    )
    # HubSpot's October franc is Salesforce's 0.887627 francs per dollar, inverted to six
    # places: 1 / 0.887627 = 1.1265993… -> 1.126599
    assert chf.value == Decimal("1.126599")
    # 798.14 + 798.14 × 0.126599 (95.7768 + 5.26692586) = 899.18372586
    assert Decimal("798.14") * chf.value == Decimal("899.18372586")
    cad_rate = rates.rate("USD", "CAD", date(2026, 10, 20))
    assert (cad_rate.value, cad_rate.source) == (cad, "salesforce DatedConversionRate")
