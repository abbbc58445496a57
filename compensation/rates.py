"""Dated exchange rates: a rate is valid from its date until the next rate of the pair.

Rates file (YAML)::

    source: "ECB reference rates, first business day of the month"
    rates:
      - {date: 2026-01-01, from: EUR, to: USD, rate: "1.0850"}
      - {date: 2026-10-01, from: EUR, to: USD, rate: "1.0712", source: "treasury desk"}

:meth:`RateTable.rate` finds the direct pair, else the inverse (``1 / rate``), else a cross
through one other currency (tried in alphabetical order). Values keep full precision; only
final payable amounts are rounded (by the plan calculation).

Errors: :class:`RatesFileError` (fix the rates file; ``ValueError``) and
:class:`MissingRateError` (add a rate; ``LookupError``).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from compensation.yamlsource import YamlFileError, format_path, load_located

__all__ = ["MissingRateError", "Rate", "RateTable", "RatesFileError"]

_ONE = Decimal(1)


class RatesFileError(ValueError):
    """The rates file has problems; ``problems`` holds one ``FILE:LINE: path: what`` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the rates file has problems:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems = problems


class MissingRateError(LookupError):
    """No rate converts ``from_ccy`` to ``to_ccy`` on ``on``."""

    def __init__(self, from_ccy: str, to_ccy: str, on: date) -> None:
        super().__init__(
            f"no {from_ccy}→{to_ccy} exchange rate on or before {on.isoformat()}: add one "
            "to the rates file (a rate is valid from its date until the next one)"
        )
        self.from_ccy, self.to_ccy, self.on = from_ccy, to_ccy, on


@dataclass(frozen=True, slots=True)
class Rate:
    """``1 from_ccy = value to_ccy``, valid from ``date``; ``source`` says where it came
    from (``"identity"``, the file's source, ``"inverse of …"`` or ``"cross via …"``)."""

    from_ccy: str
    to_ccy: str
    value: Decimal
    date: date
    source: str

    def convert(self, amount: Decimal) -> Decimal:
        """``amount`` in ``to_ccy`` at full precision."""
        return amount * self.value


class RateTable:
    """Dated rates per currency pair, looked up by day."""

    def __init__(self, rows: Iterable[tuple[str, str, date, Decimal, str]] = ()) -> None:
        pairs: dict[tuple[str, str], list[tuple[date, Decimal, str]]] = {}
        for from_ccy, to_ccy, start, value, source in rows:
            pairs.setdefault((from_ccy.upper(), to_ccy.upper()), []).append((start, value, source))
        self._pairs = {k: sorted(v, key=lambda r: r[0]) for k, v in sorted(pairs.items())}
        self._days = {k: [r[0] for r in v] for k, v in self._pairs.items()}
        self._currencies = sorted({c for pair in self._pairs for c in pair})
        self._cache: dict[tuple[str, str, date], Rate] = {}

    @classmethod
    def load(cls, path: Path) -> RateTable:
        """Read a rates file (see the module docstring); every problem has file and line."""
        try:
            data, located = load_located(path)
        except YamlFileError as exc:
            raise RatesFileError(exc.problems) from exc
        if not isinstance(data, dict) or not isinstance(data.get("rates"), list):
            raise RatesFileError([f"{path}:1: the file needs a 'rates:' list"])
        default_source = str(data.get("source") or path.name)
        rows, problems = [], []
        for index, item in enumerate(data["rates"]):
            try:
                rows.append(_row(item, default_source))
            except ValueError as exc:
                where = ("rates", index)
                problems.append(f"{located.where(where)}: {format_path(where)}: {exc}")
        if problems:
            raise RatesFileError(problems)
        return cls(rows)

    def rows(self) -> list[tuple[str, str, date, Decimal, str]]:
        """Every stored rate, sorted (pair, date)."""
        return [(f, t, d, v, s) for (f, t), items in self._pairs.items() for d, v, s in items]

    def digest(self) -> str:
        """A sha256 of every rate, for input hashes."""
        text = "\n".join(f"{f}|{t}|{d.isoformat()}|{v}|{s}" for f, t, d, v, s in self.rows())
        return hashlib.sha256(text.encode()).hexdigest()

    def _direct(self, from_ccy: str, to_ccy: str, on: date) -> Rate | None:
        days = self._days.get((from_ccy, to_ccy))
        if days is not None:
            index = bisect.bisect_right(days, on) - 1
            if index >= 0:
                start, value, source = self._pairs[(from_ccy, to_ccy)][index]
                return Rate(from_ccy, to_ccy, value, start, source)
        inverse = self._pairs.get((to_ccy, from_ccy))
        if inverse is not None:
            index = bisect.bisect_right(self._days[(to_ccy, from_ccy)], on) - 1
            if index >= 0:
                start, value, source = inverse[index]
                return Rate(from_ccy, to_ccy, _ONE / value, start, f"inverse of {source}")
        return None

    def rate(self, from_ccy: str, to_ccy: str, on: date) -> Rate:
        """The rate in force on ``on`` (raises :class:`MissingRateError`)."""
        cached = self._cache.get((from_ccy, to_ccy, on))
        if cached is not None:
            return cached
        original = (from_ccy, to_ccy, on)
        from_ccy, to_ccy = from_ccy.upper(), to_ccy.upper()
        cache_key = (from_ccy, to_ccy, on)
        if from_ccy == to_ccy:
            found: Rate | None = Rate(from_ccy, to_ccy, _ONE, on, "identity")
        else:
            found = self._direct(from_ccy, to_ccy, on)
            for via in self._currencies if found is None else ():
                first = self._direct(from_ccy, via, on) if via not in (from_ccy, to_ccy) else None
                second = self._direct(via, to_ccy, on) if first is not None else None
                if first is not None and second is not None:
                    found = Rate(
                        from_ccy,
                        to_ccy,
                        first.value * second.value,
                        max(first.date, second.date),
                        f"cross via {via}: {first.source}; {second.source}",
                    )
                    break
        if found is None:
            raise MissingRateError(from_ccy, to_ccy, on)
        self._cache[cache_key] = self._cache[original] = found
        return found


def _row(item: Any, default_source: str) -> tuple[str, str, date, Decimal, str]:
    if not isinstance(item, dict):
        raise ValueError("each rate is a mapping {date, from, to, rate}")
    unknown = sorted(set(item) - {"date", "from", "to", "rate", "source"})
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; use date, from, to, rate, source")
    start = item.get("date")
    if not isinstance(start, date):
        raise ValueError("date must be a day such as 2026-10-01")
    currencies = [str(item.get(k) or "").upper() for k in ("from", "to")]
    if any(len(c) != 3 or not c.isalpha() for c in currencies):
        raise ValueError("from and to must be 3-letter currency codes such as EUR")
    raw = item.get("rate")
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else str(raw))
    except InvalidOperation as exc:
        raise ValueError(f"rate {raw!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError(f"rate must be a positive number, got {raw!r}")
    return currencies[0], currencies[1], start, value, str(item.get("source") or default_source)
