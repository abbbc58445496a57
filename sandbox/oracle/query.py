"""The ``q`` parameter of Oracle's REST framework, compiled to a row predicate.

Two syntaxes, as the framework takes them: the query-by-example list of version 1
(``StatusCode=OPEN;Revenue>1000``: conditions joined by ``;``) and the row-match
expressions of version 2 and later (``LastUpdateDate > '2026-10-01T00:00:00+00:00' or
(LastUpdateDate = '...' and OptyId > 300000001000042)``): ``and``/``or``, parentheses,
``=``, ``!=``, ``<>``, ``>``, ``>=``, ``<``, ``<=`` and ``in (v1, v2)``. Values are quoted
strings or numbers; a quoted value is compared to a date or time attribute as an ISO 8601
instant. An unknown attribute or a malformed expression raises ``QueryError`` (HTTP 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sandbox.schema import ObjectSchema

__all__ = ["Predicate", "Query", "QueryError", "compile_query", "typed_value"]

Predicate = Callable[[dict[str, Any]], bool]
Floors = dict[str, Any]  # attribute -> the least value a matching row can have
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|!=|>=|<=|=|>|<)"
    r"|(?P<paren>[(),;])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_NUMERIC = {"id", "reference", "int", "double", "currency", "percent"}


class QueryError(ValueError):
    """The ``q`` value cannot be read."""


class Query:
    """A compiled ``q``: ``matches`` a row, and ``floors``, the least value of an
    attribute a matching row can have (so a sorted read may skip the rows below it)."""

    def __init__(self, matches: Predicate, floors: Floors) -> None:
        self.matches = matches
        self.floors = floors


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"cannot read the query at {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _coerce(kind: str, raw: str, quoted: bool) -> Any:
    if kind in ("datetime", "date"):
        try:
            value = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise QueryError(f"{raw!r} is not a date or time") from exc
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if kind in _NUMERIC:
        try:
            return float(raw)
        except ValueError as exc:
            raise QueryError(f"{raw!r} is not a number") from exc
    return raw


def typed_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if kind in _NUMERIC:
        return float(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op in ("!=", "<>"):
        return bool(left != right)
    if left is None:
        return False
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], schema: ObjectSchema) -> None:
        self.tokens = tokens
        self.pos = 0
        self.schema = schema

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("the query ends too early")
        self.pos += 1
        return token

    def word(self, *words: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.pos += 1
            return True
        return False

    def expression(self) -> tuple[Predicate, Floors]:
        nodes = [self.conjunction()]
        while self.word("or"):
            nodes.append(self.conjunction())
        if len(nodes) == 1:
            return nodes[0]
        parts = [p for p, _ in nodes]
        shared = set.intersection(*(set(f) for _, f in nodes))
        floors = {k: min(f[k] for _, f in nodes) for k in shared}
        return (lambda row: any(p(row) for p in parts)), floors

    def conjunction(self) -> tuple[Predicate, Floors]:
        nodes = [self.factor()]
        while self.word("and") or self._semicolon():
            nodes.append(self.factor())
        if len(nodes) == 1:
            return nodes[0]
        parts = [p for p, _ in nodes]
        floors: Floors = {}
        for _, found in nodes:
            for key, value in found.items():
                floors[key] = value if key not in floors else max(floors[key], value)
        return (lambda row: all(p(row) for p in parts)), floors

    def _semicolon(self) -> bool:
        if self.peek() == ("paren", ";"):
            self.pos += 1
            return True
        return False

    def factor(self) -> tuple[Predicate, Floors]:
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("paren", ")"):
                raise QueryError("a parenthesis is not closed")
            return inner
        kind, name = self.take()
        f = self.schema.field(name) if kind == "word" else None
        if f is None:
            raise QueryError(f"the attribute {name} is not valid")
        if self.word("in"):
            return self._in(f.name, f.type), {}
        op_kind, op = self.take()
        if op_kind != "op":
            raise QueryError(f"an operator must follow {name}")
        right = self.value(f.type)
        field_name, field_type = f.name, f.type
        floors = {field_name: right} if op in (">", ">=", "=") else {}
        return (
            lambda row: _compare(op, typed_value(field_type, row.get(field_name)), right)
        ), floors

    def _in(self, name: str, kind: str) -> Predicate:
        if self.take() != ("paren", "("):
            raise QueryError("in must be followed by a list in parentheses")
        values = {self.value(kind)}
        while self.peek() == ("paren", ","):
            self.take()
            values.add(self.value(kind))
        if self.take() != ("paren", ")"):
            raise QueryError("the list of in is not closed")
        return lambda row: typed_value(kind, row.get(name)) in values

    def value(self, kind: str) -> Any:
        token_kind, raw = self.take()
        if token_kind == "str":
            return _coerce(kind, raw[1:-1].replace("''", "'"), True)
        if token_kind in ("num", "word"):
            return _coerce(kind, raw, False)
        raise QueryError(f"{raw!r} is not a value")


def compile_query(text: str, schema: ObjectSchema) -> Query:
    """A ``q`` value compiled over the resource's (typed) world rows."""
    parser = _Parser(_tokens(text), schema)
    predicate, floors = parser.expression()
    if parser.peek() is not None:
        raise QueryError(f"unexpected {parser.peek()[1]!r} in the query")  # type: ignore[index]
    return Query(predicate, floors)
