"""Per-table-version caches, so paging a large result never re-evaluates a query.

Every entry remembers the ``table.version`` it was computed at and is rebuilt when the
table has changed since. Callers hold ``world.lock`` while computing.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sandbox.store import Table

__all__ = ["IdOrder", "QueryCache"]


class IdOrder:
    """Ids of a table (live or archived) in ascending numeric order."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = sorted(ids, key=int)
        self.keys = [int(i) for i in self.ids]

    def position(self, after: int) -> int:
        """Index of the first id >= ``after``."""
        return bisect_left(self.keys, after)


class QueryCache:
    """A small LRU of computed results keyed by (name, key), valid for one table version."""

    def __init__(self, size: int = 64) -> None:
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, table: Table, key: Hashable, compute: Callable[[], Any]) -> Any:
        full_key = (table.name, key)
        with self._lock:
            hit = self._entries.get(full_key)
            if hit is not None and hit[0] == table.version:
                self._entries.move_to_end(full_key)
                return hit[1]
        value = compute()
        with self._lock:
            self._entries[full_key] = (table.version, value)
            self._entries.move_to_end(full_key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def id_order(self, table: Table, archived: bool) -> IdOrder:
        def compute() -> IdOrder:
            if archived:
                return IdOrder(list(table.deleted_at))
            return IdOrder([r["id"] for r in table.live()])

        return self.get(table, ("order", archived), compute)

    def unique_index(self, table: Table, prop: str) -> dict[str, str]:
        """Lower-cased value of a unique property -> id, over live records."""

        def compute() -> dict[str, str]:
            index: dict[str, str] = {}
            for record in table.live():
                value = record.get(prop)
                if value is not None:
                    index.setdefault(str(value).lower(), record["id"])
            return index

        return self.get(table, ("unique", prop), compute)
