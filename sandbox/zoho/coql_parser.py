"""A recursive-descent parser for COQL ``select`` statements.

Grammar (keywords case-insensitive)::

    query   := SELECT field ("," field)* FROM module WHERE cond
               [ORDER BY field [ASC|DESC] ("," field [ASC|DESC])*]
               [LIMIT n ["," n] | LIMIT n OFFSET n]
    cond    := conj (OR conj)*
    conj    := atom (AND atom)*
    atom    := "(" cond ")" | field test
    test    := op literal | [NOT] LIKE string | [NOT] IN "(" literal ("," literal)* ")"
             | IS [NOT] NULL | [NOT] BETWEEN literal AND literal

``LIMIT a, b`` is MySQL-style (offset a, count b).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.zoho.coql_lexer import Token, syntax_error, tokenize

__all__ = ["Cond", "Query", "Test", "parse_query"]

DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class Test:
    """A leaf condition: ``op`` is a comparison, ``like``, ``in``, ``null`` or ``between``."""

    field: str
    op: str
    value: Any = None
    negate: bool = False


@dataclass(frozen=True)
class Cond:
    """``and`` / ``or`` of sub-conditions."""

    kind: str
    parts: tuple[Cond | Test, ...]


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    module: str
    where: Cond | Test | None
    order: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    limit: int = DEFAULT_LIMIT


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _is(self, kind: str, value: str | None = None) -> bool:
        return self.tok.kind == kind and (value is None or self.tok.value == value)

    def _accept(self, kind: str, value: str | None = None) -> Token | None:
        return self._next() if self._is(kind, value) else None

    def _expect(self, kind: str, value: str | None = None, clause: str | None = None) -> Token:
        if not self._is(kind, value):
            raise syntax_error(self.tok.value or "end of query", clause)
        return self._next()

    def query(self) -> Query:
        self._expect("keyword", "select", "select")
        fields = [self._expect("ident", clause="select").value]
        while self._accept("punct", ","):
            fields.append(self._expect("ident", clause="select").value)
        self._expect("keyword", "from", "from")
        module = self._expect("ident", clause="from").value
        if not self._accept("keyword", "where"):
            raise syntax_error(self.tok.value or "end of query", "where")
        where = self.cond()
        order: list[tuple[str, bool]] = []
        if self._accept("keyword", "order"):
            self._expect("keyword", "by", "order by")
            while True:
                name = self._expect("ident", clause="order by").value
                desc = bool(self._accept("keyword", "desc"))
                if not desc:
                    self._accept("keyword", "asc")
                order.append((name, desc))
                if not self._accept("punct", ","):
                    break
        offset, limit = 0, DEFAULT_LIMIT
        if self._accept("keyword", "limit"):
            first = self._int("limit")
            if self._accept("punct", ","):
                offset, limit = first, self._int("limit")
            elif self._accept("keyword", "offset"):
                limit, offset = first, self._int("limit")
            else:
                limit = first
        self._expect("end")
        return Query(tuple(fields), module, where, tuple(order), offset, limit)

    def _int(self, clause: str) -> int:
        tok = self._expect("number", clause=clause)
        if "." in tok.value or tok.value.startswith("-"):
            raise syntax_error(tok.value, clause)
        return int(tok.value)

    def cond(self) -> Cond | Test:
        parts = [self.conj()]
        while self._accept("keyword", "or"):
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else Cond("or", tuple(parts))

    def conj(self) -> Cond | Test:
        parts = [self.atom()]
        while self._accept("keyword", "and"):
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else Cond("and", tuple(parts))

    def atom(self) -> Cond | Test:
        if self._accept("punct", "("):
            inner = self.cond()
            self._expect("punct", ")", "where")
            return inner
        name = self._expect("ident", clause="where").value
        if tok := self._accept("op"):
            op = "!=" if tok.value == "<>" else tok.value
            return Test(name, op, self.literal())
        if self._accept("keyword", "is"):
            negate = bool(self._accept("keyword", "not"))
            self._expect("keyword", "null", "where")
            return Test(name, "null", None, negate)
        negate = bool(self._accept("keyword", "not"))
        if self._accept("keyword", "like"):
            return Test(name, "like", self._expect("string", clause="where").value, negate)
        if self._accept("keyword", "in"):
            self._expect("punct", "(", "where")
            values = [self.literal()]
            while self._accept("punct", ","):
                values.append(self.literal())
            self._expect("punct", ")", "where")
            return Test(name, "in", tuple(values), negate)
        if self._accept("keyword", "between"):
            low = self.literal()
            self._expect("keyword", "and", "where")
            return Test(name, "between", (low, self.literal()), negate)
        raise syntax_error(self.tok.value or "end of query", "where")

    def literal(self) -> Any:
        tok = self._next()
        if tok.kind == "string":
            return tok.value
        if tok.kind == "number":
            return float(tok.value) if "." in tok.value else int(tok.value)
        if tok.kind == "keyword" and tok.value in ("true", "false"):
            return tok.value == "true"
        if tok.kind == "keyword" and tok.value == "null":
            return None
        raise syntax_error(tok.value or "end of query", "where")


def parse_query(text: str) -> Query:
    """Parse a COQL statement; raises the Zoho 400 SYNTAX_ERROR on malformed input."""
    return _Parser(text).query()
