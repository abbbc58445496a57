"""Pay periods: a month (``2026-10``), a quarter (``2026-Q4``) or a year (``2026``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = ["Period", "PeriodKind"]

PeriodKind = Literal["month", "quarter", "year"]
_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A closed date range ``[start, end]`` named by :attr:`key`."""

    start: date
    kind: PeriodKind

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2026-10"`` (month), ``"2026-Q4"`` (quarter) or ``"2026"`` (year)."""
        value = text.strip()
        for pattern, kind in _PATTERNS:
            match = pattern.match(value)
            if not match:
                continue
            year = int(match.group(1))
            if kind == "month":
                month = int(match.group(2))
                if not 1 <= month <= 12:
                    break
            elif kind == "quarter":
                month = (int(match.group(2)) - 1) * 3 + 1
            else:
                month = 1
            return cls(date(year, month, 1), kind)  # type: ignore[arg-type]
        raise ValueError(
            f"{text!r} is not a period; write a month (2026-10), a quarter (2026-Q4) "
            "or a year (2026)"
        )

    @classmethod
    def containing(cls, day: date, kind: PeriodKind) -> Period:
        """The period of ``kind`` that contains ``day``."""
        month = (day.month - 1) // _MONTHS[kind] * _MONTHS[kind] + 1
        return cls(date(day.year, month, 1), kind)

    @property
    def months(self) -> int:
        """Length in months (1, 3 or 12)."""
        return _MONTHS[self.kind]

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return _add_months(self.start, self.months) - timedelta(days=1)

    @property
    def key(self) -> str:
        """The period's name, as :meth:`parse` reads it."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside the period."""
        return self.start <= day <= self.end

    def next(self) -> Period:
        """The period of the same kind that follows this one."""
        return Period(_add_months(self.start, self.months), self.kind)

    def previous(self) -> Period:
        """The period of the same kind before this one."""
        return Period(_add_months(self.start, -self.months), self.kind)

    def __str__(self) -> str:
        return self.key
