"""The recorded managers as dated spans: each row holds until the employee's next one,
the first covers the past, and "no manager" is never a span."""

from __future__ import annotations

from datetime import date

from compensation.inputs import ManagerSpan
from sync.compute.managers import _spans

D1, D2, D3 = date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)


def test_each_row_holds_until_the_next_and_the_first_covers_the_past() -> None:
    rows = [("A", "M2", D2), ("A", "M1", D1), ("B", "M1", D1)]
    assert list(_spans(rows)) == [
        ManagerSpan("A", "M1", date.min, date(2026, 11, 29)),
        ManagerSpan("A", "M2", D2),
        ManagerSpan("B", "M1", date.min),
    ]


def test_no_manager_first_is_an_incomplete_directory_and_later_ends_the_span() -> None:
    """A: nobody seen on D1 (a CRM not synced yet), M1 from D2: M1 covers the past.
    B: M1 from D1, nobody from D2, M2 from D3: M1 until D2's eve, nothing from D2 to D3's
    eve (today's manager applies), M2 from D3."""
    rows = [("A", None, D1), ("A", "M1", D2), ("B", "M1", D1), ("B", None, D2), ("B", "M2", D3)]
    assert list(_spans(rows)) == [
        ManagerSpan("A", "M1", date.min),
        ManagerSpan("B", "M1", date.min, date(2026, 11, 29)),
        ManagerSpan("B", "M2", D3),
    ]
