"""HubSpot's API limits: a ten-second rolling window per app, a daily quota per account,
and the search endpoints' own per-second budget.

Calls are always counted (the ``X-HubSpot-RateLimit-*`` headers report them). The rolling
and search windows only refuse calls under the ``strict`` fault profile; the daily quota
refuses in every profile so tests can reach it by lowering ``limits.daily``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from sandbox.faults import RollingWindow
from sandbox.http import EmulatorError
from sandbox.hubspot.errors import correlation_id

__all__ = ["HubSpotLimits", "RateLimiter", "Usage", "rate_limit_error"]

INTERVAL_MS = 10_000


@dataclass
class HubSpotLimits:
    """Configurable limits (Free/Starter tier by default)."""

    daily: int = 250_000
    ten_secondly: int = 100
    search_per_second: int = 5

    @classmethod
    def professional(cls) -> HubSpotLimits:
        return cls(daily=625_000, ten_secondly=190)


@dataclass(frozen=True)
class Usage:
    """What the rate-limit headers of one response report."""

    daily: int
    daily_remaining: int
    max: int
    remaining: int


def rate_limit_error(policy: str, retry_after: int | None = None) -> EmulatorError:
    messages = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "DAILY": "You have reached your daily limit.",
        "SECONDLY": "You have reached your secondly limit.",
    }
    body = {
        "status": "error",
        "message": messages[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": correlation_id(),
    }
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return EmulatorError(429, body, headers)


class RateLimiter:
    """Counts calls per app (rolling) and per day (sandbox clock date)."""

    def __init__(self, limits: HubSpotLimits) -> None:
        self.limits = limits
        self._windows: dict[str, RollingWindow] = {}
        self._search = RollingWindow(limits.search_per_second, 1.0)
        self._day: date | None = None
        self._daily_used = 0
        self._lock = threading.Lock()

    def _window(self, app: str) -> RollingWindow:
        with self._lock:
            window = self._windows.get(app)
            if window is None:
                window = self._windows[app] = RollingWindow(self.limits.ten_secondly, 10.0)
            window.limit = self.limits.ten_secondly
            return window

    def acquire(self, app: str, today: date, search: bool, enforce: bool) -> Usage:
        """Count one call, or raise the 429 HubSpot would send."""
        with self._lock:
            if self._day != today:
                self._day, self._daily_used = today, 0
            if self._daily_used >= self.limits.daily:
                raise rate_limit_error("DAILY")
        if search:
            self._search.limit = self.limits.search_per_second
            allowed, _, _ = self._search.try_acquire()
            if not allowed and enforce:
                raise rate_limit_error("SECONDLY", retry_after=1)
            window = self._window(app)
            remaining = window.remaining()
        else:
            window = self._window(app)
            allowed, remaining, wait = window.try_acquire()
            if not allowed and enforce:
                raise rate_limit_error("TEN_SECONDLY_ROLLING", retry_after=max(1, round(wait)))
        with self._lock:
            self._daily_used += 1
            daily_remaining = max(0, self.limits.daily - self._daily_used)
        return Usage(self.limits.daily, daily_remaining, window.limit, max(0, remaining))

    def usage(self, app: str) -> Usage:
        """Current counters without counting a call (for refused responses)."""
        window = self._window(app)
        with self._lock:
            daily_remaining = max(0, self.limits.daily - self._daily_used)
        return Usage(self.limits.daily, daily_remaining, window.limit, window.remaining())
