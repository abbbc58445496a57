"""The OData query options the emulator understands: ``$select``, ``$filter``,
``$orderby``, ``$top``, ``$count``, ``$expand`` (single-valued lookups).

``$filter`` covers what integration clients send: comparisons (``eq ne gt ge lt le``) of a
column with a literal (``'text'``, numbers, ``true``/``false``, ``null``, GUIDs and ISO
datetimes unquoted), ``and``/``or``/``not``, parentheses, and ``contains``/``startswith``/
``endswith``. Columns are logical names; a lookup is filtered as ``_x_value``. Anything
else is a 400 with Dataverse's code, as the service answers a query it cannot parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sandbox.dynamics.errors import BAD_QUERY, ODataError
from sandbox.schema import ObjectSchema
from sandbox.store import Record

__all__ = ["Predicate", "column_of", "parse_filter", "parse_orderby", "parse_select"]

Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<dt>\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)?)"
    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w.$@]*)|(?P<op>[(),]))"
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"contains", "startswith", "endswith"}


def _bad(message: str) -> ODataError:
    return ODataError(400, BAD_QUERY, message)


def column_of(schema: ObjectSchema, name: str) -> str:
    """The stored column a query names (``_ownerid_value`` -> ``ownerid``), or a 400."""
    stored = name
    if name.startswith("_") and name.endswith("_value"):
        stored = name[1:-6]
    found = schema.field(stored)
    if found is None or (found.type == "reference") != (stored != name):
        raise _bad(
            f"Could not find a property named '{name}' on type "
            f"'Microsoft.Dynamics.CRM.{schema.name}'."
        )
    return stored


def parse_select(schema: ObjectSchema, raw: str | None) -> list[str] | None:
    """The stored columns ``$select`` asks for (None: all of them)."""
    if not raw:
        return None
    return [column_of(schema, part.strip()) for part in raw.split(",") if part.strip()]


def parse_orderby(schema: ObjectSchema, raw: str | None) -> list[tuple[str, bool]]:
    """``[(column, descending)]``."""
    out = []
    for part in (raw or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise _bad(f"Syntax error in $orderby at '{part.strip()}'.")
        out.append((column_of(schema, words[0]), len(words) == 2 and words[1] == "desc"))
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _bad(f"Syntax error at position {pos} in '{text}'.")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _literal(kind: str, text: str) -> Any:
    if kind == "str":
        return text[1:-1].replace("''", "'")
    if kind == "num":
        return float(text) if "." in text else int(text)
    if kind == "dt":
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    if kind == "guid":
        return text.lower()
    return {"true": True, "false": False, "null": None}[text]


def _comparable(value: Any, other: Any) -> tuple[Any, Any]:
    if isinstance(value, datetime) and isinstance(other, datetime):
        return value, other
    if isinstance(value, date) and isinstance(other, datetime):
        return value, other.date()
    if isinstance(value, str) and isinstance(other, str):
        return value.lower(), other.lower()
    return value, other


class _Parser:
    def __init__(self, schema: ObjectSchema, tokens: list[tuple[str, str]]) -> None:
        self.schema = schema
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise _bad("Unexpected end of $filter.")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise _bad(f"Expected '{text}' in $filter.")

    def parse_or(self) -> Predicate:
        left = self.parse_and()
        while self.peek() == ("name", "or"):
            self.take()
            left = _either(left, self.parse_and())
        return left

    def parse_and(self) -> Predicate:
        left = self.parse_unary()
        while self.peek() == ("name", "and"):
            self.take()
            left = _both(left, self.parse_unary())
        return left

    def parse_unary(self) -> Predicate:
        token = self.peek()
        if token == ("name", "not"):
            self.take()
            inner = self.parse_unary()
            return lambda r: not inner(r)
        if token == ("op", "("):
            self.take()
            inner = self.parse_or()
            self.expect(")")
            return inner
        kind, text = self.take()
        if kind == "name" and text in _FUNCTIONS:
            return self.parse_function(text)
        if kind != "name":
            raise _bad(f"Syntax error at '{text}' in $filter.")
        column = column_of(self.schema, text)
        _, op = self.take()
        if op not in _COMPARE:
            raise _bad(f"Unknown operator '{op}' in $filter.")
        lkind, ltext = self.take()
        value = (
            _literal(lkind, ltext)
            if lkind != "name" or ltext in ("true", "false", "null")
            else None
        )
        if lkind == "name" and ltext not in ("true", "false", "null"):
            raise _bad(f"Syntax error at '{ltext}' in $filter.")
        return _comparison(column, op, value)

    def parse_function(self, name: str) -> Predicate:
        self.expect("(")
        column = column_of(self.schema, self.take()[1])
        self.expect(",")
        kind, text = self.take()
        if kind != "str":
            raise _bad(f"{name} takes a text literal.")
        needle = str(_literal(kind, text)).lower()
        self.expect(")")
        test = {
            "contains": lambda v: needle in v,
            "startswith": lambda v: v.startswith(needle),
            "endswith": lambda v: v.endswith(needle),
        }[name]
        return lambda r: isinstance(r.get(column), str) and test(r[column].lower())


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) or b(r)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) and b(r)


def _comparison(column: str, op: str, value: Any) -> Predicate:
    def test(record: Record) -> bool:
        have = record.get(column)
        if value is None or have is None:
            equal = have is None and value is None
            return equal if op == "eq" else (not equal if op == "ne" else False)
        left, right = _comparable(have, value)
        try:
            if op == "eq":
                return bool(left == right)
            if op == "ne":
                return bool(left != right)
            if op == "gt":
                return bool(left > right)
            if op == "ge":
                return bool(left >= right)
            if op == "lt":
                return bool(left < right)
            return bool(left <= right)
        except TypeError:
            return False

    return test


def parse_filter(schema: ObjectSchema, raw: str | None) -> Predicate | None:
    if not raw:
        return None
    parser = _Parser(schema, _tokens(raw))
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise _bad(f"Syntax error at '{parser.peek()[1]}' in $filter.")  # type: ignore[index]
    return predicate
