"""The sandbox's notion of "now".

Generated data is deterministic, so it cannot depend on the wall clock: the synthetic
company's story ends at an *anchor* instant, by default the start of the host's UTC day (the
same data all day for a seed: see :func:`host_anchor`), and the sandbox clock then starts at
the host's time; with an explicit anchor (tests, benchmarks) the clock starts at the anchor.
``AnchoredClock`` then advances with real elapsed time (so a running sandbox behaves like
a live CRM), while ``ManualClock`` only moves when told to (so tests and churn are exactly
reproducible). Everything in the sandbox asks the injected clock, never ``datetime.now()``.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["DEFAULT_ANCHOR", "AnchoredClock", "Clock", "ManualClock", "host_anchor", "parse_anchor"]

# The fixed anchor that tests, benchmarks and golden files pass explicitly, so their figures
# never depend on the day they run (the demo's floors are measured on it), and the start of
# the low-level clocks below. A sandbox's own default is the host's day (``host_anchor``):
# `crmsync demo|sandbox serve` end the story there and run the clock from the host's time.
DEFAULT_ANCHOR = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)


def host_anchor(now: datetime | None = None) -> datetime:
    """The start (00:00 UTC) of the host's current day: the story of a sandbox run today
    ends there, the same for every run on that day and seed."""
    current = now or datetime.now(UTC)
    return datetime(current.year, current.month, current.day, tzinfo=UTC)


def parse_anchor(text: str, now: datetime | None = None) -> datetime:
    """``today`` (the host's day, see :func:`host_anchor`) or a ``YYYY-MM-DD`` day."""
    if text.strip().lower() == "today":
        return host_anchor(now)
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"anchor {text!r} is not a day: write YYYY-MM-DD or today") from None
    return day.replace(tzinfo=UTC)


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
