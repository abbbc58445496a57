"""Salesforce's dated exchange rates in the sandbox: off by default, a rate per currency
per month when on, each valid until the next one starts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.persist import load_world, save_world


def test_an_org_without_the_feature_has_no_rate_objects(tiny_world) -> None:
    assert "DatedConversionRate" not in tiny_world.salesforce
    assert "CurrencyType" not in tiny_world.salesforce


def test_each_currency_has_a_chain_of_monthly_rates(tmp_path: Path) -> None:
    world = generate(1, "tiny", DEFAULT_ANCHOR, dated_rates=True)
    currencies = {r["IsoCode"]: r for r in world.salesforce["CurrencyType"].rows.values()}
    assert sorted(currencies) == ["CAD", "CHF", "EUR", "GBP", "USD"]
    assert [c for c, r in currencies.items() if r["IsCorporate"]] == ["USD"]
    rows = world.salesforce["DatedConversionRate"].rows.values()
    for code in ("CAD", "CHF", "EUR", "GBP"):
        chain = sorted((r for r in rows if r["IsoCode"] == code), key=lambda r: r["StartDate"])
        starts = [r["StartDate"] for r in chain]
        # the story runs from 2026-10-31 back 548 days: 2025-05-01, 18 month starts
        assert starts[:2] == [date(1, 1, 1), date(2025, 5, 1)] and starts[-1] == date(2026, 10, 1)
        assert len(chain) == 19
        assert [r["NextStartDate"] for r in chain] == [*starts[1:], date(9999, 12, 31)]
        assert all(r["ConversionRate"] == round(r["ConversionRate"], 6) > 0 for r in chain)
    save_world(world, tmp_path / "world")
    loaded = load_world(tmp_path / "world")
    assert (
        loaded.salesforce["DatedConversionRate"].rows
        == world.salesforce["DatedConversionRate"].rows
    )
    assert (
        generate(1, "tiny", DEFAULT_ANCHOR, dated_rates=True).salesforce["DatedConversionRate"].rows
        == world.salesforce["DatedConversionRate"].rows
    )
