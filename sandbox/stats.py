"""Counts of the API calls an emulator served, by endpoint.

Tests and benchmarks read them through ``GET /_sandbox/stats`` to assert how many calls a
sync or a push cost. Endpoints are keyed by method and route template
(``GET /services/data/<version>/query``), so ids in paths do not explode the table.
"""

from __future__ import annotations

import threading
from collections import Counter

__all__ = ["CallStats"]


class CallStats:
    """Thread-safe counter of served calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def count(self, endpoint: str) -> None:
        with self._lock:
            self._calls[endpoint] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "total": sum(self._calls.values()),
                "endpoints": dict(sorted(self._calls.items())),
            }

    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
