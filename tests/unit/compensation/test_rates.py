"""Dated exchange rates: validity from a date to the next, inverses, crosses, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compensation.rates import MissingRateError, Rate, RatesFileError, RateTable

D = Decimal
ROOT = Path(__file__).resolve().parents[3]

RATES = """\
source: test desk
rates:
  - {date: 2026-01-01, from: EUR, to: USD, rate: "1.10"}
  - {date: 2026-10-01, from: EUR, to: USD, rate: "1.25"}
  - {date: 2026-01-01, from: GBP, to: USD, rate: "1.30", source: bank}
"""


def table(tmp_path: Path, text: str = RATES) -> RateTable:
    path = tmp_path / "rates.yaml"
    path.write_text(text)
    return RateTable.load(path)


def test_a_rate_is_valid_from_its_date_until_the_next(tmp_path: Path) -> None:
    rates = table(tmp_path)
    assert rates.rate("EUR", "USD", date(2026, 9, 30)) == Rate(
        "EUR", "USD", D("1.10"), date(2026, 1, 1), "test desk"
    )
    assert rates.rate("eur", "usd", date(2026, 10, 1)).value == D("1.25")
    assert rates.rate("EUR", "USD", date(2027, 5, 1)).date == date(2026, 10, 1)
    assert rates.rate("USD", "USD", date(2020, 1, 1)).source == "identity"


def test_inverse_and_cross_rates(tmp_path: Path) -> None:
    rates = table(tmp_path)
    inverse = rates.rate("USD", "EUR", date(2026, 10, 2))
    assert inverse.value == D(1) / D("1.25") == D("0.8")
    assert inverse.source == "inverse of test desk"
    cross = rates.rate("EUR", "GBP", date(2026, 11, 1))
    assert cross.value == D("1.25") * (D(1) / D("1.30"))
    assert cross.source == "cross via USD: test desk; inverse of bank"
    assert cross.convert(D("100")) == D("100") * cross.value


def test_missing_rate_says_what_to_add(tmp_path: Path) -> None:
    rates = table(tmp_path)
    with pytest.raises(MissingRateError) as caught:
        rates.rate("EUR", "USD", date(2025, 12, 31))
    assert str(caught.value) == (
        "no EUR→USD exchange rate on or before 2025-12-31: add one to the rates file "
        "(a rate is valid from its date until the next one)"
    )
    with pytest.raises(MissingRateError):
        rates.rate("CHF", "USD", date(2026, 5, 1))


def test_rates_file_errors_name_the_line(tmp_path: Path) -> None:
    text = RATES + '  - {date: 2026-02-01, from: EURO, to: USD, rate: "1.1"}\n'
    text += '  - {date: 2026-02-01, from: EUR, to: USD, rate: "-1"}\n'
    with pytest.raises(RatesFileError) as caught:
        table(tmp_path, text)
    assert [p.replace(f"{tmp_path}/", "") for p in caught.value.problems] == [
        "rates.yaml:6: rates[3]: from and to must be 3-letter currency codes such as EUR",
        "rates.yaml:7: rates[4]: rate must be a positive number, got '-1'",
    ]


def test_the_example_rates_file_loads_and_its_digest_is_stable() -> None:
    first = RateTable.load(ROOT / "config" / "plans" / "rates.yaml")
    second = RateTable(reversed(first.rows()))
    assert first.digest() == second.digest()
    assert first.rate("CHF", "EUR", date(2026, 10, 15)).source.startswith("cross via USD")
