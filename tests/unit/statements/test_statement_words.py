"""Small pieces of a statement's words: roles through a pool, line kinds, payout dates."""

from __future__ import annotations

from datetime import date

import pytest

from compensation.statements.locale import Words
from sync.compute.statement_history import payout_date


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["closing", "closing, as manager", "field work (overlay bonus)"]),
        ("fr", ["signature", "signature, en tant que manager", "travail terrain (overlay bonus)"]),
        ("es", ["cierre", "cierre, como responsable", "trabajo de campo (overlay bonus)"]),
    ],
)
def test_a_roll_up_line_says_whose_role_it_rewards(locale: str, expected: list[str]) -> None:
    words = Words(locale, "EUR")
    assert [
        words.role("close", "revenue"),
        words.role("close", "manager"),
        words.role("field_work", "overlay_bonus"),
    ] == expected


def test_lines_without_a_label_read_as_their_kind_in_words() -> None:
    assert [Words("fr", "EUR").kind(k) for k in ("usage_bonus", "manual", "odd_kind")] == [
        "Prime d'utilisation du CRM",
        "Ajustement manuel",
        "odd kind",
    ]
    assert Words("en", "EUR").kind("kpi_bonus", "Customer satisfaction bonus") == (
        "Customer satisfaction bonus"
    )


@pytest.mark.parametrize(
    ("end", "day", "months", "expected"),
    [
        (date(2026, 10, 31), 25, 1, date(2026, 11, 25)),
        (date(2026, 12, 31), 25, 1, date(2027, 1, 25)),
        (date(2027, 1, 31), 31, 1, date(2027, 2, 28)),  # a shorter month: its last day
        (date(2026, 9, 30), 31, 0, date(2026, 9, 30)),
        (date(2026, 12, 31), 15, 2, date(2027, 2, 15)),  # a quarter paid two months later
    ],
)
def test_the_payout_date_is_a_day_of_a_month_after_the_period(
    end: date, day: int, months: int, expected: date
) -> None:
    assert payout_date(end, day, months) == expected


@pytest.mark.parametrize(
    "gate", ["documentation", "required_fields", "activity", "negative_amount", "left"]
)
def test_every_gate_the_engine_withholds_by_reads_in_french_and_spanish(gate: str) -> None:
    english = ("the engine's reason", "the engine's advice")
    for locale in ("fr", "es"):
        reason, advice = Words(locale, "EUR").gate(gate, *english)
        assert (reason, advice) != english and reason and advice
    assert Words("en", "EUR").gate(gate, *english) == english  # English: the engine's own
