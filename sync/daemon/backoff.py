"""Exponential back-off of a source that keeps failing, so it does not hammer its CRM."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Backoff", "BackoffState"]


@dataclass
class BackoffState:
    failures: int = 0  # in a row
    until: datetime | None = None
    last_error: str | None = None


class Backoff:
    """After the n-th failure in a row a source waits ``initial * 2**(n-1)``, at most
    ``maximum``; one success clears it."""

    def __init__(self, initial: timedelta, maximum: timedelta) -> None:
        self.initial = initial
        self.maximum = maximum
        self._states: dict[str, BackoffState] = {}
        self._lock = threading.Lock()

    def waiting(self, source: str, now: datetime) -> datetime | None:
        """The time ``source`` may run again, or None when it may run now."""
        with self._lock:
            state = self._states.get(source)
            if state is None or state.until is None or now >= state.until:
                return None
            return state.until

    def failed(self, source: str, now: datetime, error: str | None) -> BackoffState:
        with self._lock:
            state = self._states.setdefault(source, BackoffState())
            state.failures += 1
            delay = min(self.initial * 2 ** (state.failures - 1), self.maximum)
            state.until = now + delay
            state.last_error = error
            return BackoffState(state.failures, state.until, state.last_error)

    def restore(self, source: str, failures: int, until: datetime) -> None:
        """Carry a streak over from a previous daemon (read from the job table)."""
        with self._lock:
            self._states[source] = BackoffState(failures, until, None)

    def succeeded(self, source: str) -> None:
        with self._lock:
            self._states.pop(source, None)

    def state(self, source: str) -> BackoffState:
        with self._lock:
            state = self._states.get(source, BackoffState())
            return BackoffState(state.failures, state.until, state.last_error)
