"""Zoho's API limits: credits per rolling 24 hours, and concurrent in-flight calls.

Credits are counted in every profile and enforced in every profile (so tests can exhaust a
lowered ``daily``); concurrency is counted always but enforced only under ``strict``.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["ConcurrencyGate", "CreditWindow", "ZohoLimits"]

DAY_SECONDS = 86_400


@dataclass
class ZohoLimits:
    """Tunable limits; tests lower them (``app.limits.daily = 5``)."""

    daily: int = 1_000_000
    concurrency: int = 20
    heavy_concurrency: int = 10
    page_token_records: int = 100_000
    discrete_records: int = 2_000


class CreditWindow:
    """API credits used in the last 24 h, bucketed per second of the sandbox clock."""

    def __init__(self) -> None:
        self._buckets: deque[list[int]] = deque()
        self._used = 0
        self._lock = threading.Lock()

    def _expire(self, now: int) -> None:
        while self._buckets and now - self._buckets[0][0] >= DAY_SECONDS:
            self._used -= self._buckets.popleft()[1]

    def try_spend(self, now: float, limit: int, credits: int = 1) -> tuple[bool, int, int]:
        """Spend credits if allowed: (allowed, remaining, seconds until credits free up)."""
        second = int(now)
        with self._lock:
            self._expire(second)
            if self._used + credits > limit:
                wait = DAY_SECONDS - (second - self._buckets[0][0]) if self._buckets else 1
                return False, max(limit - self._used, 0), max(wait, 1)
            if self._buckets and self._buckets[-1][0] == second:
                self._buckets[-1][1] += credits
            else:
                self._buckets.append([second, credits])
            self._used += credits
            return True, limit - self._used, 0

    def used(self, now: float) -> int:
        with self._lock:
            self._expire(int(now))
            return self._used


class ConcurrencyGate:
    """Counts in-flight calls, overall and for heavy APIs (COQL, search, big writes)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.heavy_in_flight = 0
        self._lock = threading.Lock()

    def enter(self, heavy: bool, limit: int | None, heavy_limit: int | None) -> bool:
        """Count a call in; ``False`` (and nothing counted) if a given limit is reached."""
        with self._lock:
            if limit is not None and self.in_flight >= limit:
                return False
            if heavy and heavy_limit is not None and self.heavy_in_flight >= heavy_limit:
                return False
            self.in_flight += 1
            if heavy:
                self.heavy_in_flight += 1
            return True

    def leave(self, heavy: bool) -> None:
        with self._lock:
            self.in_flight -= 1
            if heavy:
                self.heavy_in_flight -= 1
