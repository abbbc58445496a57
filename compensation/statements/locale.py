"""Money, numbers, dates and words for one locale (Babel and the message catalog)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from babel import Locale
from babel.dates import format_date, format_interval
from babel.numbers import format_decimal, get_currency_precision, get_currency_symbol

from compensation.statements.messages import GATES, MESSAGES, POOLS, ROLES
from compensation.statements.model import Period
from compensation.statements.usage_words import USAGE, USAGE_ADVICE

__all__ = ["Words"]


class _MoneyPlan(NamedTuple):
    """How to write amounts of one currency without Babel's pattern machinery."""

    exponent: Decimal  # the currency's smallest unit, for quantize
    table: dict[int, str]  # "," and "." to the locale's group and decimal symbols
    prefixes: tuple[str, str]  # (positive, negative)
    suffixes: tuple[str, str]


def _money_plan(locale: Locale, currency: str) -> _MoneyPlan | None:
    """What :meth:`Words.money` needs to write amounts like Babel, ~10x faster: Babel's
    pattern application dominates rendering a statement. Checked against Babel in tests.
    None: format with Babel's pattern (an unusual pattern or grouping)."""
    pattern = locale.currency_formats["standard"]
    if pattern.grouping != (3, 3) or pattern.scale != 0 or len(pattern.prefix) != 2:
        return None
    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    symbol = get_currency_symbol(currency, locale=locale)
    table = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    positive, negative = (p.replace("¤", symbol) for p in pattern.prefix)
    positive_end, negative_end = (x.replace("¤", symbol) for x in pattern.suffix)
    return _MoneyPlan(exponent, table, (positive, negative), (positive_end, negative_end))


class Words:
    """Formatting helpers the templates call (``money``, ``pct``, ``day``, ``t``...)."""

    def __init__(self, locale: str, currency: str) -> None:
        self.code = locale
        self.locale = Locale.parse(locale)
        self.currency = currency
        self.messages = MESSAGES[locale]
        self.colon = "\u202f: " if locale == "fr" else ": "
        # Applying the locale's patterns directly is several times faster than the
        # format_* helpers, which look the patterns up again on every call.
        self._money = self.locale.currency_formats["standard"]
        self._percent = self.locale.percent_formats[None]
        self._plural = self.locale.plural_form
        self._plans: dict[str, _MoneyPlan | None] = {}

    def t(self, key: str, count: int | None = None, **values: object) -> str:
        """The message ``key``, its plural form chosen by ``count``, with ``values``."""
        message = self.messages[key]
        if isinstance(message, dict):
            if count is None:
                raise KeyError(f"message {key!r} needs a count")
            form = self._plural(count)
            message = message.get(form, message["other"])
            values["count"] = self.number(count)
        return message.format(**values)

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        """``amount`` in ``currency`` (default: the statement's), as Babel writes it."""
        currency = currency or self.currency
        try:
            plan = self._plans[currency]
        except KeyError:
            plan = self._plans[currency] = _money_plan(self.locale, currency)
        if plan is None:
            return self._money.apply(amount, self.locale, currency=currency, currency_digits=True)
        exponent, table, prefixes, suffixes = plan
        negative = amount < 0
        text = f"{abs(amount).quantize(exponent):,f}".translate(table)
        return prefixes[negative] + text + suffixes[negative]

    def number(self, value: Decimal | int, places: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def pct(self, ratio: Decimal, places: int = 1) -> str:
        """A fraction as a percentage: ``Decimal("0.125")`` is 12.5 %."""
        rounded = (ratio * 100).quantize(Decimal(1).scaleb(-places)).normalize() / 100
        return self._percent.apply(rounded, self.locale, decimal_quantization=False)

    def pcts(self, ratios: tuple[Decimal, ...]) -> str:
        return ", ".join(self.pct(r) for r in ratios)

    def rate(self, value: Decimal) -> str:
        return format_decimal(value, format="#,##0.######", locale=self.locale)

    def day(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def long_day(self, value: date) -> str:
        return format_date(value, format="long", locale=self.locale)

    def period(self, period: Period) -> str:
        """``October 2026`` for a calendar month, else the date interval."""
        start, end = period.start, period.end
        next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        if start.day == 1 and (end - next_month).days == -1:
            return format_date(start, format="LLLL yyyy", locale=self.locale)
        return format_interval(start, end, skeleton="yMMMd", locale=self.locale)

    def gate(self, gate: str, reason: str, advice: str) -> tuple[str, str]:
        """The gate's reason and advice in this language (the engine's own text if the
        catalog has no translation, and always in English)."""
        return GATES.get(gate, {}).get(self.code, (reason, advice))

    def role(self, slot: str, pool: str = "") -> str:
        """The crediting slot as the employee's role in words (``field_work`` -> ``field
        work``, ``travail terrain`` in French); a line of a pool other than ``revenue``
        says so (``closing, as manager``)."""
        role = ROLES.get(slot, {}).get(self.code) or slot.replace("_", " ")
        if not pool or pool == "revenue":
            return role
        how = POOLS.get(pool, {}).get(self.code)
        return f"{role}, {how}" if how else f"{role} ({pool.replace('_', ' ')})"

    def usage_label(self, key: str, label: str) -> str:
        return USAGE.get(key, {}).get(self.code, label)

    def usage_advice(self, key: str, advice: str) -> str:
        """How to raise a usage component, in this language (else ``advice``)."""
        return USAGE_ADVICE.get(key, {}).get(self.code, advice)

    def sentence(self, text: str) -> str:
        """``text`` with a capital first letter (the engine writes reasons in lower case)."""
        return text[:1].upper() + text[1:]

    def kind(self, kind: str, label: str = "") -> str:
        """A line's label, else its kind in words (``usage_bonus`` -> CRM usage bonus)."""
        if label:
            return label
        key = f"kind_{kind}"
        return self.t(key) if key in self.messages else kind.replace("_", " ")
