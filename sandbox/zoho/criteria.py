"""The search API's ``criteria`` language: ``((Last_Name:equals:Burns)and(Email:starts_with:a))``.

Parsed into a predicate over stored (typed) records. ``and`` binds tighter than ``or``;
``\\(``, ``\\)`` and ``\\,`` escape those characters inside values. Text compares
case-insensitively, like Zoho's search.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.schema import Field, ObjectSchema
from sandbox.store import Record
from sandbox.zoho.errors import zoho_error
from sandbox.zoho.params import parse_datetime

__all__ = ["MAX_CRITERIA", "Predicate", "coerce", "parse_criteria"]

MAX_CRITERIA = 10
Predicate = Callable[[Record], bool]
_TEXT = {"id", "string", "textarea", "email", "phone", "url", "picklist", "reference"}


def _query_error(reason: str, **details: Any) -> Exception:
    return zoho_error(400, "INVALID_QUERY", "invalid query formed", {"reason": reason, **details})


def coerce(f: Field, raw: str) -> Any:
    """A criteria value as the stored type of ``f`` (text lower-cased)."""
    raw = raw.strip()
    try:
        if f.type == "datetime":
            value = parse_datetime(raw)
            if value is None:
                raise ValueError(raw)
            return value
        if f.type == "date":
            return date.fromisoformat(raw)
        if f.type == "int":
            return int(raw)
        if f.type in ("double", "currency", "percent"):
            return float(raw)
        if f.type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
    except ValueError:
        raise _query_error("invalid value given", api_name=f.name, value=raw) from None
    return raw.lower()


def _stored(f: Field) -> Callable[[Record], Any]:
    name = f.name
    if f.type in _TEXT:
        return lambda r: v.lower() if isinstance(v := r.get(name), str) else v
    return lambda r: r.get(name)


def _compare(f: Field, op: str, raw: str) -> Predicate:
    get = _stored(f)
    if op in ("in", "between"):
        parts = [coerce(f, p) for p in _split_values(raw)]
        if op == "between":
            if len(parts) != 2:
                raise _query_error("between needs two values", api_name=f.name)
            low, high = parts
            return lambda r: (v := get(r)) is not None and low <= v <= high
        wanted = set(parts)
        return lambda r: get(r) in wanted
    value = coerce(f, raw)
    if op == "equals":
        return lambda r: get(r) == value
    if op == "not_equal":
        return lambda r: get(r) != value
    if op == "starts_with":
        prefix = str(value)
        return lambda r: isinstance(v := get(r), str) and v.startswith(prefix)
    ordering = {
        "greater_than": lambda v: v > value,
        "greater_equal": lambda v: v >= value,
        "less_than": lambda v: v < value,
        "less_equal": lambda v: v <= value,
    }.get(op)
    if ordering is None:
        raise _query_error("invalid operator found", api_name=f.name, operator=op)
    return lambda r: (v := get(r)) is not None and ordering(v)


def _split_values(raw: str) -> list[str]:
    out, current, escaped = [], [], False
    for ch in raw:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


class _Parser:
    def __init__(self, text: str, schema: ObjectSchema) -> None:
        self.text = text
        self.pos = 0
        self.schema = schema
        self.leaves = 0

    def parse(self) -> Predicate:
        pred = self._or()
        if self.pos != len(self.text):
            raise _query_error("unexpected text", near=self.text[self.pos : self.pos + 20])
        return pred

    def _or(self) -> Predicate:
        terms = [self._and()]
        while self._keyword("or"):
            terms.append(self._and())
        return terms[0] if len(terms) == 1 else lambda r: any(t(r) for t in terms)

    def _and(self) -> Predicate:
        terms = [self._term()]
        while self._keyword("and"):
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else lambda r: all(t(r) for t in terms)

    def _keyword(self, word: str) -> bool:
        rest = self.text[self.pos :].lstrip()
        if rest[: len(word)].lower() == word and rest[len(word) : len(word) + 1] == "(":
            self.pos = len(self.text) - len(rest) + len(word)
            return True
        return False

    def _term(self) -> Predicate:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise _query_error("expected (", near=self.text[self.pos : self.pos + 20])
        self.pos += 1
        if self.text[self.pos : self.pos + 1] == "(":
            pred = self._or()
        else:
            pred = self._leaf()
        if self.text[self.pos : self.pos + 1] != ")":
            raise _query_error("unbalanced parentheses", near=self.text[self.pos : self.pos + 20])
        self.pos += 1
        return pred

    def _leaf(self) -> Predicate:
        chars, escaped = [], False
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if escaped:
                chars.append("\\" + ch if ch == "," else ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == ")":
                break
            else:
                chars.append(ch)
            self.pos += 1
        parts = "".join(chars).split(":", 2)
        if len(parts) != 3:
            raise _query_error("invalid criteria", near="".join(chars))
        name, op, raw = (parts[0].strip(), parts[1].strip().lower(), parts[2])
        f = self.schema.field(name)
        if f is None:
            raise _query_error("invalid field found", api_name=name)
        self.leaves += 1
        if self.leaves > MAX_CRITERIA:
            raise zoho_error(
                400,
                "LIMIT_EXCEEDED",
                "the number of criteria exceeds the limit",
                {"limit": MAX_CRITERIA, "param_name": "criteria"},
            )
        return _compare(f, op, raw)


def parse_criteria(text: str, schema: ObjectSchema) -> Predicate:
    """A predicate for a criteria string (400 INVALID_QUERY / LIMIT_EXCEEDED if bad)."""
    return _Parser(text.strip(), schema).parse()
