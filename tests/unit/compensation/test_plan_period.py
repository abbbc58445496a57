"""Periods: parsing, bounds, neighbours."""

from __future__ import annotations

from datetime import date

import pytest

from compensation.plans import Period


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "month"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ],
)
def test_parse(text: str, start: date, end: date, kind: str) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert Period.parse(period.key) == period


def test_neighbours_and_containment() -> None:
    q4 = Period.parse("2026-Q4")
    assert q4.next().key == "2027-Q1" and q4.previous().key == "2026-Q3"
    assert Period.parse("2026-01").previous().key == "2025-12"
    assert Period.containing(date(2026, 11, 15), "quarter") == q4
    assert q4.contains(date(2026, 12, 31)) and not q4.contains(date(2027, 1, 1))
    assert q4.months == 3


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "Q4-2026", "26", ""])
def test_bad_periods_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"write a month \(2026-10\), a quarter"):
        Period.parse(text)
