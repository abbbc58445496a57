"""Server-side query cursors: a query's rendered result, paged by ``nextRecordsUrl``.

A query is evaluated and rendered once, when it is issued; later pages slice the stored
list, so they stay consistent while the data changes, as Salesforce's cursors do. A
cursor belongs to the session that opened it, and each user holds at most ten (the
oldest is closed to make room, which is what makes real locators turn invalid).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_CURSORS_PER_USER", "Cursor", "CursorStore"]

MAX_CURSORS_PER_USER = 10


@dataclass
class Cursor:
    locator: str
    token: str
    user_id: str
    records: list[dict[str, Any]]
    batch_size: int


class CursorStore:
    """Open cursors by locator, oldest first."""

    def __init__(self, limit: int = MAX_CURSORS_PER_USER) -> None:
        self.limit = limit
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def open(
        self, token: str, user_id: str, records: list[dict[str, Any]], batch_size: int
    ) -> Cursor:
        # Real locators are record ids with the 0r8/01g prefix.
        cursor = Cursor(f"01g{secrets.token_hex(8)[:15]}", token, user_id, records, batch_size)
        with self._lock:
            mine = [c.locator for c in self._cursors.values() if c.user_id == user_id]
            for locator in mine[: max(0, len(mine) - self.limit + 1)]:
                del self._cursors[locator]
            self._cursors[cursor.locator] = cursor
        return cursor

    def get(self, locator: str) -> Cursor | None:
        with self._lock:
            return self._cursors.get(locator)

    def close(self, locator: str) -> None:
        with self._lock:
            self._cursors.pop(locator, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._cursors)
