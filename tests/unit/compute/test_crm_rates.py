"""The CRMs' exchange rates before the rates file: per pair, from the CRM's first rate on;
the file's rates of that pair hold only before it (put in the CRM's direction)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from compensation.rates import RateTable
from connectors.core.rates import ExchangeRate
from sync.compute.crm_rates import with_crm_rates
from sync.config.compensation import CompensationConfig
from sync.store import open_store
from sync.store.rates import replace_rates

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_the_crm_wins_from_its_first_rate_and_the_file_holds_before(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        # HubSpot quotes one euro in dollars, from July
        rates = [
            ExchangeRate("EUR", "USD", Decimal("1.10"), date(2026, 7, 1), "1", "exchange-rates"),
            ExchangeRate("EUR", "USD", Decimal("1.12"), date(2026, 10, 1), "2", "exchange-rates"),
        ]
        replace_rates(engine, "hubspot", rates, NOW)
        # the treasury's file quotes one dollar in euros, from January, and yen
        file = RateTable(
            [
                ("USD", "EUR", date(2026, 1, 1), Decimal("0.80"), "treasury"),
                ("USD", "EUR", date(2026, 9, 1), Decimal("0.95"), "treasury"),
                ("USD", "JPY", date(2026, 1, 1), Decimal("150"), "treasury"),
            ]
        )
        config = CompensationConfig(crm_rates=["hubspot"])
        merged = with_crm_rates(engine, config, file)
    finally:
        engine.dispose()
    march = merged.rate("EUR", "USD", date(2026, 3, 15))
    assert (march.value, march.source) == (Decimal("1.25"), "inverse of treasury")  # 1 / 0.80
    august = merged.rate("EUR", "USD", date(2026, 8, 1))
    assert (august.value, august.source) == (Decimal("1.10"), "hubspot exchange-rates")
    # the file's September rate of the pair is not used: HubSpot keeps the pair by then
    september = merged.rate("EUR", "USD", date(2026, 9, 15))
    assert (september.value, september.date) == (Decimal("1.10"), date(2026, 7, 1))
    assert merged.rate("EUR", "USD", date(2026, 10, 2)).value == Decimal("1.12")
    assert merged.rate("USD", "JPY", date(2026, 10, 2)).source == "treasury"
