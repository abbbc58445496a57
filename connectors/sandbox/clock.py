"""The sandbox's notion of "now".

Generated data is deterministic, so it cannot depend on the wall clock: the synthetic
company's story ends at a fixed *anchor* instant, and the sandbox clock starts there.
``AnchoredClock`` then advances with real elapsed time (so a running sandbox behaves like
a live CRM), while ``ManualClock`` only moves when told to (so tests and churn are exactly
reproducible). Everything in the sandbox asks the injected clock, never ``datetime.now()``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["DEFAULT_ANCHOR", "AnchoredClock", "Clock", "ManualClock"]

DEFAULT_ANCHOR = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)


class Clock(Protocol):
    """Anything that tells the sandbox what time it is (always UTC-aware)."""

    def now(self) -> datetime: ...


class AnchoredClock:
    """Starts at ``anchor`` and advances with real (monotonic) time.

    ``advance`` jumps forward, for example to expire tokens in a demo.
    """

    def __init__(self, anchor: datetime = DEFAULT_ANCHOR) -> None:
        self._anchor = anchor
        self._started = time.monotonic()
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            elapsed = timedelta(seconds=time.monotonic() - self._started)
            return self._anchor + elapsed + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


class ManualClock:
    """A clock that stands still until ``advance`` or ``set`` moves it."""

    def __init__(self, start: datetime = DEFAULT_ANCHOR) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when
