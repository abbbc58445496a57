"""Each table's changes in version order, as Dataverse answers a delta request: from its
change tracking's record of changes, not by reading the table.

A table's index is built from one pass over its rows when a tracked read first hands out
a delta link for it (or a delta asks for it); from then on the table's ``journal`` (the
ids written since) keeps it current, so a delta request costs the changes it lists (by
bisection), however large the table. A row's change version is its ``versionnumber``, or
the version of its delete once deleted. An index whose table was replaced, or whose rows
were put back (a change set rolled back), is built again.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, field

from sandbox.dynamics.schema import DELETED_VERSION
from sandbox.store import Record, Table

__all__ = ["ChangeIndex"]


@dataclass
class _Index:
    table: Table
    rows: dict[str, Record]
    order: list[tuple[int, str]] = field(default_factory=list)  # (version, id), sorted
    version_of: dict[str, int] = field(default_factory=dict)


def _version(table: Table, rid: str) -> int | None:
    row = table.rows.get(rid)
    if row is None:
        return None
    value = row.get(DELETED_VERSION) if table.is_deleted(rid) else row.get("versionnumber")
    return int(value) if value is not None else None


class ChangeIndex:
    """The change indexes of one environment's tables (used under the world's lock)."""

    def __init__(self) -> None:
        self._indexes: dict[str, _Index] = {}

    def watch(self, table: Table) -> None:
        """Keep ``table``'s index from now on (a tracked read handed out a delta link)."""
        self._current(table)

    def changes(self, table: Table, after: int, upto: int) -> list[tuple[int, Record, bool]]:
        """(version, row, deleted) of the rows changed after version ``after`` up to
        ``upto``, in version order."""
        index = self._current(table)
        start = bisect_left(index.order, (after + 1, ""))
        out = []
        for version, rid in index.order[start:]:
            if version > upto:
                break
            out.append((version, table.rows[rid], table.is_deleted(rid)))
        return out

    def _current(self, table: Table) -> _Index:
        index = self._indexes.get(table.name)
        if index is None or index.table is not table or index.rows is not table.rows:
            index = _Index(table, table.rows)
            for rid in table.rows:
                version = _version(table, rid)
                if version is not None:
                    index.version_of[rid] = version
            index.order = sorted((v, rid) for rid, v in index.version_of.items())
            table.journal = []
            self._indexes[table.name] = index
            return index
        written, table.journal = table.journal or [], []
        for rid in dict.fromkeys(written):
            old = index.version_of.pop(rid, None)
            if old is not None:
                del index.order[bisect_left(index.order, (old, rid))]
            version = _version(table, rid)
            if version is not None:
                index.version_of[rid] = version
                insort(index.order, (version, rid))
        return index
