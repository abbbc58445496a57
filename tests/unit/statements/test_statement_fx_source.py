"""A converted line names its rate's first day and source when the run knows them (a CRM's
dated rates, a rates file), in the statement's language; the samples know neither."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from compensation.statements import Renderer
from compensation.statements.samples import sample_statement

EXPECTED = {
    "en": "$5,250.00 converted at 1.0832 (rate of Oct 1, 2026: salesforce DatedConversionRate)",
    "fr": "taux du 1 oct. 2026 : salesforce DatedConversionRate",
    "es": "tipo del 1 oct 2026: salesforce DatedConversionRate",
}


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
def test_a_converted_line_names_its_rates_day_and_source(locale: str) -> None:
    statement = sample_statement(1, locale=locale)
    lines = tuple(
        replace(p, fx_date=date(2026, 10, 1), fx_source="salesforce DatedConversionRate")
        if p.fx_rate is not None
        else p
        for p in statement.payable
    )
    assert any(p.fx_rate is not None for p in lines)
    rendered = Renderer(company="Example Corp").render(replace(statement, payable=lines))
    assert EXPECTED[locale] in rendered.text
    assert EXPECTED[locale].split(" (")[-1] in rendered.html  # the amount is marked up
    plain = Renderer(company="Example Corp").render(statement)
    assert "DatedConversionRate" not in plain.text  # no source known: the rate alone
