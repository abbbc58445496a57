"""Dataverse's service protection limits, per user over a sliding 5-minute window.

Three limits (Microsoft's "Service protection API limits"): requests (6,000 per user per
300 s), combined execution time (1,200 s per user per 300 s) and concurrent requests (52).
Exceeding one answers 429 with ``Retry-After`` (seconds) and the limit's error code. The
emulator counts requests and concurrency always; the windows are enforced in every
profile (tests lower them), concurrency only under the ``strict`` fault profile.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

__all__ = ["DynamicsLimits", "RequestWindow"]

WINDOW_SECONDS = 300


@dataclass
class DynamicsLimits:
    """Tunable limits; tests lower them (``app.limits.requests = 5``)."""

    requests: int = 6_000
    concurrency: int = 52
    max_page_size: int = 5_000
    batch_requests: int = 1_000
    # how long a change-tracking delta token stays valid (Dataverse keeps change data for
    # a retention period; an older token fails with 0x80044352)
    delta_token_ttl_s: float = 90 * 86_400
    # tables whose change tracking is off (``ChangeTrackingEnabled`` false): a query on
    # one ignores ``Prefer: odata.track-changes``, as OData has a service do with a
    # preference it cannot apply (no ``@odata.deltaLink``, no ``Preference-Applied``)
    untracked: set[str] = field(default_factory=set)
    # tables the application user's security role cannot read (no ``prvRead`` privilege
    # on them): a query on one answers 403 with 0x80040220, naming the privilege
    unreadable: set[str] = field(default_factory=set)


class RequestWindow:
    """Requests per caller over the last ``WINDOW_SECONDS`` of the sandbox clock."""

    def __init__(self) -> None:
        self._calls: dict[str, deque[float]] = {}
        self._in_flight = 0
        self._lock = threading.Lock()

    def try_call(self, caller: str, now: float, limit: int) -> int:
        """Count a call in; 0 when allowed, else the seconds until one is allowed again."""
        with self._lock:
            calls = self._calls.setdefault(caller, deque())
            while calls and now - calls[0] >= WINDOW_SECONDS:
                calls.popleft()
            if len(calls) >= limit:
                return max(int(WINDOW_SECONDS - (now - calls[0])) + 1, 1)
            calls.append(now)
            return 0

    def enter(self, limit: int | None) -> bool:
        with self._lock:
            if limit is not None and self._in_flight >= limit:
                return False
            self._in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
