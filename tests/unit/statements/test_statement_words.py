"""Small pieces of a statement's words: roles through a pool, line kinds, payout dates, and
every language's catalog against English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from string import Formatter

import pytest

from compensation.statements.locale import Words
from compensation.statements.messages import MESSAGES, POOLS, ROLES
from compensation.statements.model import language
from compensation.statements.usage_words import USAGE, USAGE_ADVICE
from sync.compute.statement_history import payout_date


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ["closing", "closing, as manager", "field work (overlay bonus)"]),
        ("fr", ["signature", "signature, en tant que manager", "travail terrain (overlay bonus)"]),
        ("es", ["cierre", "cierre, como responsable", "trabajo de campo (overlay bonus)"]),
        ("de", ["Abschluss", "Abschluss, als Führungskraft", "Außendienst (overlay bonus)"]),
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
def test_every_gate_the_engine_withholds_by_reads_in_french_spanish_and_german(gate: str) -> None:
    english = ("the engine's reason", "the engine's advice")
    for locale in ("fr", "es", "de"):
        reason, advice = Words(locale, "EUR").gate(gate, *english)
        assert (reason, advice) != english and reason and advice
    assert Words("en", "EUR").gate(gate, *english) == english  # English: the engine's own


def _placeholders(message: str | dict[str, str]) -> set[tuple[str, str]]:
    forms = message.items() if isinstance(message, dict) else [("", message)]
    return {
        (form, name) for form, text in forms for _, name, _, _ in Formatter().parse(text) if name
    }


@pytest.mark.parametrize("locale", ["fr", "es", "de"])
def test_each_language_has_every_english_message_with_its_placeholders(locale: str) -> None:
    english, other = MESSAGES["en"], MESSAGES[locale]
    assert sorted(other) == sorted(english)
    for key, message in english.items():
        assert _placeholders(other[key]) == _placeholders(message), (locale, key)
    for table in (ROLES, POOLS, USAGE):
        assert [k for k, names in table.items() if locale not in names] == [], locale
    assert [k for k, advice in USAGE_ADVICE.items() if locale not in advice] == [], locale


def test_a_german_employee_reads_german_words_and_numbers() -> None:
    words = Words(language("de_CH"), "CHF")
    assert words.t("deal_count", count=2) == "2 Verkaufschancen"
    assert words.t("deal_count", count=1) == "1 Verkaufschance"
    assert words.role("close", "manager") == "Abschluss, als Führungskraft"
    assert words.money(Decimal("-1234.5")) == "-1.234,50\xa0CHF"
    assert words.pct(Decimal("0.125")) == "12,5\xa0%"
    assert words.day(date(2026, 12, 4)) == "04.12.2026"
