"""Values the store refuses, found per record so that one bad record is quarantined with its
reason instead of failing its page.

PostgreSQL aborts the whole transaction on one bad value (a NUL character in text or JSON,
an integer beyond its column, text longer than its column), and a page that fails is
re-read and fails again on every run: the stream would stall for good. The same checks run
on SQLite, which would take some of these values, so a store behaves alike on both and can
move from one to the other. Anything else a database refuses is caught at the write
(``is_refusal``) and quarantined the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Table
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["is_refusal", "refusal", "refusal_reason", "storable"]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)  # also the limit of JSON integers (orjson)


@dataclass(frozen=True)
class _Rule:
    name: str
    bounds: tuple[int, int] | None  # integer columns
    length: int | None  # text columns with a declared length
    document: bool  # JSON columns: walked only when the serialised row shows a problem


@cache
def _rules(table: Table) -> tuple[_Rule, ...]:
    rules = []
    for column in table.c:
        kind: TypeEngine[Any] = column.type
        if isinstance(kind, TypeDecorator):
            kind = kind.impl if isinstance(kind.impl, TypeEngine) else kind.impl()
        bounds = None
        if isinstance(kind, Integer):
            bounds = _INT64 if isinstance(kind, BigInteger) else _INT32
        length = kind.length if isinstance(kind, String) else None
        rules.append(_Rule(column.name, bounds, length, isinstance(kind, JSON)))
    return tuple(rules)


@cache
def _limited(table: Table) -> tuple[_Rule, ...]:
    """The rules a clean payload still needs: integer ranges and text lengths."""
    return tuple(r for r in _rules(table) if not r.document and (r.bounds or r.length))


def refusal(table: Table, values: dict[str, Any], payload: bytes | None) -> str | None:
    """Why the store would refuse this row of ``table``, or ``None``.

    ``payload`` is the row serialised with orjson (the content hash's input), ``None`` if
    that failed: orjson refuses lone surrogates and integers beyond 64 bits and writes a
    NUL as ``\\u0000``, so a clean payload leaves only the per-column limits to check.
    """
    deep = payload is None or b"\\u0000" in payload
    if not deep and _within_limits(table, values):
        return None
    rules = _rules(table) if deep else _limited(table)
    for rule in rules:
        value = values.get(rule.name)
        if value is None:
            continue
        problem = _problem(value, rule, deep)
        if problem is not None:
            return problem
    return None


@cache
def _limits(table: Table) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int, int], ...]]:
    """The text lengths and integer ranges of ``_limited(table)``, as plain tuples."""
    limited = _limited(table)
    lengths = tuple((r.name, r.length) for r in limited if r.length is not None)
    bounds = tuple((r.name, *r.bounds) for r in limited if r.bounds is not None)
    return lengths, bounds


def _within_limits(table: Table, values: dict[str, Any]) -> bool:
    """The common case, checked without ``_problem``: every limited column empty, text (or
    an amount's text) within its length, an integer within its range (~10 µs a record
    less). False only means the full check must decide."""
    lengths, bounds = _limits(table)
    for name, length in lengths:
        value = values.get(name)
        if value is None:
            continue
        kind = type(value)
        if kind is Decimal:  # amounts: written as their text
            value, kind = str(value), str
        if kind is not str or len(value) > length:
            return False
    for name, low, high in bounds:
        value = values.get(name)
        if value is not None and (type(value) is not int or not low <= value <= high):
            return False
    return True


def _problem(value: Any, rule: _Rule, deep: bool, path: str = "") -> str | None:
    where = path or rule.name
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        low, high = rule.bounds or _INT64
        if low <= value <= high:
            return None
        # Python refuses str() of integers beyond 4,300 digits: size them, do not print.
        digits = int(value.bit_length() * 0.30103) + 1
        shown = value if digits < 40 else f"an integer of about {digits} digits"
        return f"field {where}: {shown} is out of the store's range ({low} to {high})"
    if isinstance(value, str | Decimal):
        text = str(value)
        if rule.length is not None and not path and len(text) > rule.length:
            return (
                f"field {where}: text of {len(text)} characters, longer than the "
                f"store's {rule.length}"
            )
        if deep and "\x00" in text:
            return f"field {where}: text with a NUL character (\\x00)"
        if deep and not _encodable(text):
            return f"field {where}: text with an invalid character (a lone surrogate)"
        return None
    if deep and isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{storable(str(key))}"
            found = _problem(str(key), rule, deep, f"{inner} (its name)")
            found = found or _problem(item, rule, deep, inner)
            if found is not None:
                return found
    if deep and isinstance(value, list | tuple):
        for n, item in enumerate(value):
            found = _problem(item, rule, deep, f"{where}[{n}]")
            if found is not None:
                return found
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_refusal(exc: BaseException) -> bool:
    """Whether a failed write was the database refusing a value (quarantine the record),
    rather than the database failing (connection, lock: the page fails and is retried)."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        return False
    # A value SQLAlchemy or the driver could not bind (SQLite raises these bare: an integer
    # beyond 64 bits, a lone surrogate). Other Python errors are bugs and stay loud.
    return isinstance(exc, StatementError | OverflowError | UnicodeError)


def refusal_reason(exc: BaseException) -> str:
    """The database's own first line, never the statement or its parameters."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"the database refused a value: {first[:200]}"


def storable(value: Any) -> Any:
    """``value`` with what the store refuses written out as text (``\\x00``, ``\\udc80``,
    huge integers as digits), so a refused record's payload can be kept in quarantine."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\\x00")
        return value if _encodable(value) else value.encode("utf-8", "backslashreplace").decode()
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else str(value)
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value
