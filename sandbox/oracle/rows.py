"""How the Oracle emulator shows and orders its rows: JSON rendering (cached per table
version, as pages of one read ask for the same rows again), typing of written values, and
the ordering and filtering of a collection read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sandbox.oracle.app import oracle_error
from sandbox.schema import Field
from sandbox.store import Record, Table

__all__ = ["Rendered", "matching", "render", "sorted_rows", "typed"]

_NUMBERS = {"id", "reference", "int"}
_DECIMALS = {"double", "currency", "percent"}


def _iso(value: Any) -> Any:
    return value.isoformat(timespec="milliseconds")


def _converter(f: Field) -> Any:
    """How a field's stored value becomes JSON (None: as it is)."""
    if f.type in _NUMBERS:
        return int
    if f.type in _DECIMALS:
        return float
    if f.type == "datetime":
        return _iso
    if f.type == "date":
        return date.isoformat
    return None


def render(table: Table, row: Record, fields: list[str] | None = None) -> dict[str, Any]:
    """A record as Fusion's JSON shows it (``fields``: only those attributes)."""
    schema = table.schema
    chosen = schema.fields
    if fields is not None:
        chosen = []
        for name in fields:
            f = schema.field(name)
            if f is None:
                raise oracle_error(400, f"The attribute {name} in fields is not valid.", "27024")
            chosen.append(f)
    out = {}
    for name, convert in [(f.name, _converter(f)) for f in chosen]:
        value = row.get(name)
        out[name] = value if value is None or convert is None else convert(value)
    return out


class Rendered:
    """Rendered rows of one table, kept until the table changes (pages of a read ask for
    the same rows again with each keyset query)."""

    def __init__(self) -> None:
        self.version: dict[str, int] = {}
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.plans: dict[str, list[tuple[str, Any]]] = {}

    def get(self, table: Table, row: Record, fields: list[str] | None) -> dict[str, Any]:
        if self.version.get(table.name) != table.version:
            self.version[table.name] = table.version
            self.rows[table.name] = {}
        done = self.rows[table.name]
        rid = row[table.schema.id_field]
        full = done.get(rid)
        if full is None:
            plan = self.plans.get(table.name)
            if plan is None or len(plan) != len(table.schema.fields):
                plan = self.plans[table.name] = [
                    (f.name, _converter(f)) for f in table.schema.fields
                ]
            full = done[rid] = {
                name: v if (v := row.get(name)) is None or convert is None else convert(v)
                for name, convert in plan
            }
        if fields is None:
            return dict(full)
        missing = [n for n in fields if n not in full]
        if missing:
            raise oracle_error(400, f"The attribute {missing[0]} in fields is not valid.", "27024")
        return {n: full[n] for n in fields}


def typed(f: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if f.type in _NUMBERS:
        return str(int(value))
    if f.type in _DECIMALS:
        return round(float(value), 6)
    if f.type == "datetime":
        return datetime.fromisoformat(str(value))
    if f.type == "date":
        return date.fromisoformat(str(value)[:10])
    if f.type == "boolean":
        return bool(value)
    return str(value)


def matching(rows: list[Record], start: int, keep: Any, want: int | None) -> list[Record]:
    """The rows from ``start`` on that ``keep`` matches, stopping at ``want`` of them."""
    out = []
    for index in range(start, len(rows)):
        row = rows[index]
        if keep(row):
            out.append(row)
            if want is not None and len(out) >= want:
                break
    return out


def sorted_rows(tbl: Table, rows: list[Record], order: str) -> list[Record]:
    out = list(rows)
    for spec in reversed([p for p in order.split(",") if p]):
        name, _, direction = spec.partition(":")
        f = tbl.schema.field(name.strip())
        if f is None:
            raise oracle_error(400, f"The attribute {name} in orderBy is not valid.", "27024")
        out.sort(key=_sort_key(f), reverse=direction.strip().lower() == "desc")
    return out


def _sort_key(f: Field) -> Any:
    """Nulls first, numbers (ids are text in the world) as numbers."""
    numeric = f.type in _NUMBERS or f.type in _DECIMALS

    def key(row: Record) -> tuple[bool, Any]:
        value = row.get(f.name)
        if value is None:
            return (False, 0)
        return (True, float(value) if numeric else value)

    return key
