"""How the pages show a figure: a ratio as a percentage (a Decimal exactly, rounded as the
statements round it; a float as before) and a chart bar's score by its digits."""

from __future__ import annotations

from decimal import Decimal as D

from sync.web.fmt import percent


def test_a_decimal_ratio_is_rounded_exactly_half_to_even_as_statements_do() -> None:
    assert percent(D("0.256")) == "25.6%"
    assert percent(D("0.8125")) == "81.2%"  # tie: half to even
    assert percent(D("0.5455")) == "54.6%"  # the float 0.5455 × 100 printed 54.5
    assert percent(D("1")) == "100.0%" and percent(D("0")) == "0.0%"
    assert percent(D("2") / D("3"), 2) == "66.67%"


def test_a_usage_component_is_rounded_half_up_as_on_its_statement() -> None:
    assert percent(D("0.8125"), half_up=True) == "81.3%"
    assert percent(D("0.5455"), half_up=True) == "54.6%"
    assert percent(D("0.2933"), half_up=True) == "29.3%"


def test_a_float_rate_and_nothing() -> None:
    assert percent(0.125) == "12.5%"
    assert percent(1 / 3) == "33.3%"
    assert percent(None) == "–"


def test_a_score_chart_names_each_figure_by_its_digits() -> None:
    from sync.web.charts import bars

    rows = [{"name": "A", "score": D("83.5")}, {"name": "B", "score": D("100.0")}]
    exact = bars(rows, "name", "score", "Usage score", exact=True)
    assert 'aria-label="score: 100.0; name: B"' in exact
    assert 'aria-label="score: 83.5; name: A"' in exact
    # without ``exact`` Vega writes the number from the float that sets the bar's length
    assert 'aria-label="score: 100; name: B"' in bars(rows, "name", "score", "Usage score")
