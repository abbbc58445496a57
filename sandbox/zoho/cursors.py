"""Materialised query results and the page tokens that walk them.

A list query (module, filters, order) is evaluated once per world generation and kept as
an ordered list of records; ``page`` and ``page_token`` requests slice it. Page tokens
point at (result, offset) and expire after 24 h on the sandbox clock, like Zoho's.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.store import Record

__all__ = ["PageCursor", "ResultCache", "TokenCursors"]

TOKEN_LIFETIME = timedelta(hours=24)


class ResultCache:
    """A small LRU of ordered results keyed by (query, generation)."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, list[Record]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], list[Record]]) -> list[Record]:
        with self._lock:
            rows = self._items.get(key)
            if rows is not None:
                self._items.move_to_end(key)
                return rows
        rows = build()
        with self._lock:
            self._items[key] = rows
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return rows


@dataclass(frozen=True)
class PageCursor:
    """Where a page token points: a materialised result and an offset into it."""

    query: Hashable
    rows: list[Record]
    offset: int
    expires: datetime


class TokenCursors:
    """Page tokens -> cursors."""

    def __init__(self) -> None:
        self._cursors: dict[str, PageCursor] = {}
        self._lock = threading.Lock()

    def issue(
        self, query: Hashable, rows: list[Record], offset: int, now: datetime, expires: datetime
    ) -> str:
        token = secrets.token_hex(24)
        with self._lock:
            if len(self._cursors) > 20_000:
                self._cursors = {t: c for t, c in self._cursors.items() if c.expires > now}
            self._cursors[token] = PageCursor(query, rows, offset, expires)
        return token

    def get(self, token: str) -> PageCursor | None:
        with self._lock:
            return self._cursors.get(token)

    @staticmethod
    def expiry(now: datetime) -> datetime:
        return now + TOKEN_LIFETIME
