"""Each object table's records ordered by last-modified time, so a search filtered on a
window of ``lastmodifieddate`` / ``hs_lastmodifieddate`` reads the records in the window
rather than the whole table (HubSpot answers such searches from an index too).

A table's index is built from one pass over its rows when the emulator starts (or when a
search first filters on its modified property, for a table replaced since); from then on
the table's ``journal`` (the ids written since) keeps it current, so a search costs the
records in its window (found by bisection), however large the table. An index whose table
was replaced, or whose rows were put back, is built again.
The index holds live and archived rows; the search drops archived ones and still applies
every filter to the rows the window yields, so its answer is the scan's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.hubspot.filters import comparable
from sandbox.store import Record, Table

__all__ = ["ModifiedIndex", "window"]

_LOWER = ("GT", "GTE", "EQ", "BETWEEN")
_UPPER = ("LT", "LTE", "EQ", "BETWEEN")


@dataclass
class _Index:
    table: Table
    rows: dict[str, Record]
    name: str
    order: list[tuple[float, str]] = field(default_factory=list)  # (epoch ms, id), sorted
    key_of: dict[str, float] = field(default_factory=dict)


def _bound(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _modified(table: Table) -> str | None:
    """The table's modified property, when it has one datetime property stamped on writes."""
    names = table.schema.modified_fields
    if len(names) != 1:
        return None
    field_ = table.schema.field(names[0])
    return names[0] if field_ is not None and field_.type == "datetime" else None


def window(table: Table, groups: Any) -> tuple[str, float, float] | None:
    """(property, low, high): the modified-time window every match of ``groups`` lies in,
    when the query is one filter group bounding the table's modified property (None
    otherwise, and for anything malformed, which the filters themselves reject)."""
    name = _modified(table)
    if name is None or not isinstance(groups, list) or len(groups) != 1:
        return None
    group = groups[0]
    filters = group.get("filters") if isinstance(group, dict) else None
    if not isinstance(filters, list):
        return None
    low, high = float("-inf"), float("inf")
    bounded = False
    for spec in filters:
        if not isinstance(spec, dict) or spec.get("propertyName") != name:
            continue
        op = str(spec.get("operator", "")).upper()
        if op in _LOWER:
            value = _bound(spec.get("value"))
            if value is None:
                return None
            low, bounded = max(low, value), True
        if op in _UPPER:
            value = _bound(spec.get("highValue" if op == "BETWEEN" else "value"))
            if value is None:
                return None
            high, bounded = min(high, value), True
    return (name, low, high) if bounded else None


class ModifiedIndex:
    """The modified-time indexes of one portal's tables (used under the world's lock)."""

    def __init__(self) -> None:
        self._indexes: dict[str, _Index] = {}

    def watch(self, tables: Iterable[Table]) -> None:
        """Index these tables now (as HubSpot keeps its index), so a first search does not
        pay for it."""
        for table in tables:
            name = _modified(table)
            if name is not None:
                self._current(table, name)

    def ids_between(self, table: Table, name: str, low: float, high: float) -> list[str]:
        """Ids of the rows (live or archived) whose ``name`` is within [low, high]."""
        if low > high:
            return []
        index = self._current(table, name)
        start = bisect_left(index.order, (low, ""))
        stop = bisect_right(index.order, (high, "\uffff"))
        return [rid for _ms, rid in index.order[start:stop]]

    def _key(self, table: Table, name: str, rid: str) -> float | None:
        row = table.rows.get(rid)
        if row is None:
            return None
        value = comparable("datetime", row.get(name))
        return float(value) if value is not None else None

    def _current(self, table: Table, name: str) -> _Index:
        index = self._indexes.get(table.name)
        if (
            index is None
            or index.table is not table
            or index.rows is not table.rows
            or index.name != name
            or table.journal is None
        ):
            index = _Index(table, table.rows, name)
            for rid in table.rows:
                key = self._key(table, name, rid)
                if key is not None:
                    index.key_of[rid] = key
            index.order = sorted((k, rid) for rid, k in index.key_of.items())
            table.journal = []
            self._indexes[table.name] = index
            return index
        written, table.journal = table.journal, []
        for rid in dict.fromkeys(written):
            old = index.key_of.pop(rid, None)
            if old is not None:
                del index.order[bisect_left(index.order, (old, rid))]
            key = self._key(table, name, rid)
            if key is not None:
                index.key_of[rid] = key
                insort(index.order, (key, rid))
        return index
