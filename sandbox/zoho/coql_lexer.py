"""Tokens of COQL, Zoho's SQL-like query language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.zoho.errors import zoho_error

__all__ = ["KEYWORDS", "Token", "syntax_error", "tokenize"]

KEYWORDS = frozenset(
    [
        "select",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "like",
        "is",
        "null",
        "between",
        "order",
        "by",
        "asc",
        "desc",
        "limit",
        "offset",
        "true",
        "false",
    ]
)

_PATTERN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.|'')*')
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
  | (?P<word>[A-Za-z_$][\w$.]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """``kind`` is keyword, ident, string, number, op, punct or end."""

    kind: str
    value: str
    pos: int


def syntax_error(near: str, clause: str | None = None) -> Exception:
    details: dict[str, str] = {"near": near}
    if clause:
        details["clause"] = clause
    return zoho_error(400, "SYNTAX_ERROR", "error occurred while parsing the query", details)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _PATTERN.match(text, pos)
        if m is None:
            raise syntax_error(text[pos : pos + 20])
        kind = m.lastgroup or ""
        value = m.group()
        if kind == "string":
            value = value[1:-1].replace("''", "'").replace("\\'", "'")
        elif kind == "word":
            kind = "keyword" if value.lower() in KEYWORDS else "ident"
            value = value.lower() if kind == "keyword" else value
        if kind != "ws":
            tokens.append(Token(kind, value, m.start()))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens
