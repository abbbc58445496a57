"""A SOQL subset: tokenizer and recursive-descent parser.

Grammar (keywords case-insensitive)::

    query    := SELECT select FROM ident [WHERE cond] [ORDER BY order {, order}]
                [LIMIT int] [OFFSET int]
    select   := COUNT ( ) | path {, path}
    cond     := conj {OR conj}
    conj     := unary {AND unary}
    unary    := NOT unary | ( cond ) | path op value | path [NOT] IN ( value {, value} )
                | path LIKE string
    order    := path [ASC|DESC] [NULLS FIRST|LAST]
    value    := string | number | TRUE | FALSE | NULL | datetime | date | DATE_LITERAL[:n]

Errors are ``SoqlError`` with the offset of the offending token, so callers can render
Salesforce's caret message. Evaluation lives in ``soql_eval``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sandbox.salesforce.soql_lexer import (
    DATE_LITERALS,
    KEYWORDS,
    N_LITERALS,
    SoqlError,
    Token,
    caret_message,
    tokens,
)

__all__ = [
    "And",
    "Compare",
    "DateLiteral",
    "Not",
    "Or",
    "OrderItem",
    "Path",
    "Query",
    "SoqlError",
    "caret_message",
    "date_range",
    "parse",
]


@dataclass(frozen=True)
class Path:
    """A field reference such as ``Name`` or ``Owner.Name``."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class DateLiteral:
    """A relative date literal (``TODAY``, ``LAST_N_DAYS:30``) resolved at evaluation."""

    name: str
    n: int = 0


@dataclass(frozen=True)
class Compare:
    path: Path
    op: str  # = != < <= > >= IN NOT IN LIKE
    value: Any


@dataclass(frozen=True)
class And:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    item: Any


@dataclass(frozen=True)
class OrderItem:
    path: Path
    descending: bool = False
    nulls_first: bool = True


@dataclass
class Query:
    text: str
    fields: list[Path] = field(default_factory=list)
    count: bool = False
    object_name: str = ""
    object_pos: int = 0
    where: Any = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def _kw(self, tok: Token) -> str:
        return tok.text.upper() if tok.kind == "ident" else ""

    def at(self, *words: str) -> bool:
        return self._kw(self.tok) in words

    def fail(self, tok: Token | None = None) -> SoqlError:
        tok = tok or self.tok
        return SoqlError(f"unexpected token: '{tok.text}'", tok.pos)

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def expect_kw(self, word: str) -> Token:
        if not self.at(word):
            raise self.fail()
        return self.take()

    def expect_punct(self, ch: str) -> Token:
        if self.tok.kind != "punct" or self.tok.text != ch:
            raise self.fail()
        return self.take()

    def parse(self) -> Query:
        query = Query(text=self.text)
        self.expect_kw("SELECT")
        if self.at("COUNT") and self.toks[self.i + 1].text == "(":
            self.take()
            self.expect_punct("(")
            self.expect_punct(")")
            query.count = True
        else:
            query.fields.append(self.path())
            while self.tok.text == ",":
                self.take()
                query.fields.append(self.path())
        self.expect_kw("FROM")
        obj = self.take()
        if obj.kind != "ident" or "." in obj.text or obj.text.upper() in KEYWORDS:
            raise self.fail(obj)
        query.object_name, query.object_pos = obj.text, obj.pos
        if self.at("WHERE"):
            self.take()
            query.where = self.condition()
        if self.at("ORDER"):
            self.take()
            self.expect_kw("BY")
            query.order.append(self.order_item())
            while self.tok.text == ",":
                self.take()
                query.order.append(self.order_item())
        if self.at("LIMIT"):
            self.take()
            query.limit = self.integer()
        if self.at("OFFSET"):
            self.take()
            query.offset = self.integer()
        if self.tok.kind != "eof":
            raise self.fail()
        return query

    def integer(self) -> int:
        tok = self.take()
        if tok.kind != "number" or not isinstance(tok.value, int) or tok.value < 0:
            raise self.fail(tok)
        return int(tok.value)

    def path(self) -> Path:
        tok = self.tok
        if tok.kind != "ident" or tok.text.upper() in KEYWORDS:
            raise self.fail()
        self.take()
        return Path(tuple(tok.text.split(".")), tok.pos)

    def order_item(self) -> OrderItem:
        path = self.path()
        descending = False
        if self.at("ASC", "DESC"):
            descending = self.take().text.upper() == "DESC"
        nulls_first = not descending
        if self.at("NULLS"):
            self.take()
            if not self.at("FIRST", "LAST"):
                raise self.fail()
            nulls_first = self.take().text.upper() == "FIRST"
        return OrderItem(path, descending, nulls_first)

    def condition(self) -> Any:
        items = [self.conjunction()]
        while self.at("OR"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self) -> Any:
        items = [self.unary()]
        while self.at("AND"):
            self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Any:
        if self.at("NOT"):
            self.take()
            return Not(self.unary())
        if self.tok.text == "(":
            self.take()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        path = self.path()
        tok = self.tok
        if tok.kind == "op":
            self.take()
            op = "!=" if tok.text == "<>" else tok.text
            return Compare(path, op, self.value())
        if self.at("LIKE"):
            self.take()
            value = self.value()
            if not isinstance(value, str):
                raise self.fail(self.toks[self.i - 1])
            return Compare(path, "LIKE", value)
        negate = False
        if self.at("NOT"):
            self.take()
            negate = True
        if self.at("IN"):
            self.take()
            self.expect_punct("(")
            values = [self.value()]
            while self.tok.text == ",":
                self.take()
                values.append(self.value())
            self.expect_punct(")")
            return Compare(path, "NOT IN" if negate else "IN", tuple(values))
        raise self.fail()

    def value(self) -> Any:
        tok = self.take()
        if tok.kind in ("string", "number", "date", "datetime"):
            return tok.value
        word = self._kw(tok)
        if word in ("TRUE", "FALSE"):
            return word == "TRUE"
        if word == "NULL":
            return None
        if word in DATE_LITERALS:
            if word in N_LITERALS:
                self.expect_punct(":")
                return DateLiteral(word, self.integer())
            return DateLiteral(word)
        raise self.fail(tok)


def parse(text: str) -> Query:
    """Parse a SOQL statement into a ``Query``; raises ``SoqlError``."""
    return _Parser(text).parse()


def date_range(literal: DateLiteral, today: date) -> tuple[date, date]:
    """The half-open ``[start, end)`` day range a relative date literal covers."""
    one = timedelta(days=1)
    name = literal.name
    if name == "TODAY":
        return today, today + one
    if name == "YESTERDAY":
        return today - one, today
    if name == "TOMORROW":
        return today + one, today + 2 * one
    if name == "LAST_N_DAYS":
        return today - literal.n * one, today + one
    if name == "NEXT_N_DAYS":
        return today + one, today + (literal.n + 1) * one
    if name.endswith("_WEEK"):  # weeks start on Sunday, as in the default locale
        start = today - timedelta(days=(today.weekday() + 1) % 7)
        shift = {"LAST_WEEK": -7, "THIS_WEEK": 0, "NEXT_WEEK": 7}[name]
        start += timedelta(days=shift)
        return start, start + 7 * one
    first = today.replace(day=1)
    if name == "LAST_MONTH":
        first = (first - one).replace(day=1)
    elif name == "NEXT_MONTH":
        first = (first + 32 * one).replace(day=1)
    return first, (first + 32 * one).replace(day=1)
