"""SOQL tokens: the lexer shared by the parser, and Salesforce's caret error text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "DATE_LITERALS",
    "KEYWORDS",
    "N_LITERALS",
    "SoqlError",
    "Token",
    "caret_message",
    "tokens",
]

# fmt: off
DATE_LITERALS = frozenset({
    "TODAY", "YESTERDAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH",
    "THIS_MONTH", "NEXT_MONTH", "LAST_N_DAYS", "NEXT_N_DAYS",
})
N_LITERALS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS"})
KEYWORDS = frozenset({
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


def caret_message(text: str, pos: int, detail: str) -> str:
    """Salesforce's error text: the query line, a caret under the column, row:column."""
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    column = pos - line_start
    return f"\n{line}\n{' ' * column}^\nERROR at Row:{row}:Column:{column + 1}\n{detail}"


def tokens(text: str) -> list[Token]:
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
