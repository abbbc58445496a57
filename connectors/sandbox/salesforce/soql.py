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

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

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

# fmt: off
DATE_LITERALS = frozenset({
    "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_N_DAYS", "NEXT_N_DAYS",
})
_N_LITERALS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS"})
_KEYWORDS = frozenset({
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
    "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "TRUE", "FALSE", "NULL",
})
# fmt: on
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:]))
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),:])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


class SoqlError(Exception):
    """A malformed query; ``pos`` is the character offset of the offending token."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int
    value: Any = None


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


def caret_message(text: str, pos: int, detail: str) -> str:
    """Salesforce's error text: the query line, a caret under the column, row:column."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    column = pos - line_start
    return f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{detail}"


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise SoqlError(f"line 1:{pos} no viable alternative at character '{text[pos]}'", pos)
        kind = m.lastgroup or ""
        raw = m.group()
        if kind != "ws":
            out.append(Token(kind, raw, pos, _literal(kind, raw, pos)))
        pos = m.end()
    out.append(Token("eof", "<EOF>", len(text)))
    return out


def _literal(kind: str, raw: str, pos: int) -> Any:
    if kind == "string":
        return _unescape(raw[1:-1], pos)
    if kind == "number":
        return float(raw) if "." in raw else int(raw)
    if kind == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise SoqlError(
                f"line 1:{pos} no viable alternative at character '{raw}'", pos
            ) from exc
    if kind == "datetime":
        return _parse_datetime(raw, pos)
    return None


def _parse_datetime(raw: str, pos: int) -> datetime:
    text = raw.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SoqlError(f"line 1:{pos} no viable alternative at character '{raw}'", pos) from exc
    return value.astimezone(UTC)


def _unescape(body: str, pos: int) -> str:
    # \% and \_ stay escaped: only LIKE gives them meaning.
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "%_":
                out.append("\\" + nxt)
            elif nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:
                raise SoqlError(
                    f"Invalid string literal '{body}'. Illegal character sequence "
                    f"'\\{nxt}' in string literal.",
                    pos,
                )
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
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
        if obj.kind != "ident" or "." in obj.text or obj.text.upper() in _KEYWORDS:
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
        if tok.kind != "ident" or tok.text.upper() in _KEYWORDS:
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
            if word in _N_LITERALS:
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
