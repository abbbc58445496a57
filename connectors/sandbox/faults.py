"""Fault injection and rate limiting for the emulators.

Profiles:

- ``none``: every request succeeds (limits are still counted and reported in headers).
- ``flaky``: a seeded share of requests fail with a 5xx, a 429 with ``Retry-After``, or an
  expired token, and some are slowed down. The decision is a pure function of the seed and
  the request (method, path, query, body; not the token) plus how many times that same
  request was seen, so a given request fails at most twice and then succeeds: a client that
  retries always gets through, and the same client run sees the same faults every time.
- ``strict``: no random faults, but each emulator enforces its CRM's real rate limits.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Fault", "FaultKind", "FaultPlan", "FaultProfile", "RollingWindow"]


class FaultProfile(StrEnum):
    NONE = "none"
    FLAKY = "flaky"
    STRICT = "strict"


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"
    TOKEN_EXPIRED = "token_expired"
    LATENCY = "latency"


@dataclass(frozen=True)
class Fault:
    """What to do to one request. ``status`` is set for server errors."""

    kind: FaultKind
    status: int = 0
    retry_after: int = 0
    delay: float = 0.0


class FaultPlan:
    """Decides, deterministically, which requests fail under the active profile."""

    def __init__(
        self,
        profile: FaultProfile | str = FaultProfile.NONE,
        seed: int = 0,
        failure_rate: float = 0.08,
        latency_rate: float = 0.05,
    ) -> None:
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self.seed = seed
        self.profile = FaultProfile(profile)
        self.failure_rate = failure_rate
        self.latency_rate = latency_rate

    @property
    def strict(self) -> bool:
        return self.profile is FaultProfile.STRICT

    def configure(self, profile: FaultProfile | str, failure_rate: float | None = None) -> None:
        with self._lock:
            self.profile = FaultProfile(profile)
            if failure_rate is not None:
                self.failure_rate = failure_rate
            self._seen.clear()

    def decide(self, method: str, path: str, query: str, body: bytes) -> Fault | None:
        if self.profile is not FaultProfile.FLAKY:
            return None
        digest = hashlib.blake2b(body, digest_size=8).hexdigest() if body else ""
        key = f"{method} {path}?{query}#{digest}"
        with self._lock:
            attempt = self._seen[key]
            self._seen[key] += 1
        draw = self._draw(key, "fail")
        if draw < self.failure_rate:
            failures = 1 if self._draw(key, "count") < 0.7 else 2
            if attempt < failures:
                return self._pick_failure(key, attempt)
        if self._draw(key, f"slow{attempt}") < self.latency_rate:
            return Fault(FaultKind.LATENCY, delay=0.02 + 0.06 * self._draw(key, "delay"))
        return None

    def _pick_failure(self, key: str, attempt: int) -> Fault:
        pick = self._draw(key, f"kind{attempt}")
        if pick < 0.4:
            status = (500, 502, 503)[int(self._draw(key, "status") * 3) % 3]
            return Fault(FaultKind.SERVER_ERROR, status=status)
        if pick < 0.8:
            return Fault(FaultKind.RATE_LIMITED, retry_after=1)
        return Fault(FaultKind.TOKEN_EXPIRED)

    def _draw(self, key: str, salt: str) -> float:
        raw = hashlib.blake2b(f"{self.seed}|{salt}|{key}".encode(), digest_size=8).digest()
        return int.from_bytes(raw, "big") / 2**64


class RollingWindow:
    """A rolling-window request limiter (``limit`` calls per ``window`` seconds)."""

    def __init__(
        self, limit: int, window: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._monotonic = monotonic
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def try_acquire(self) -> tuple[bool, int, float]:
        """Take one slot if free. Returns (allowed, remaining, seconds until a slot frees)."""
        with self._lock:
            now = self._monotonic()
            while self._hits and now - self._hits[0] >= self.window:
                self._hits.popleft()
            if len(self._hits) >= self.limit:
                return False, 0, self.window - (now - self._hits[0])
            self._hits.append(now)
            return True, self.limit - len(self._hits), 0.0

    def remaining(self) -> int:
        with self._lock:
            now = self._monotonic()
            while self._hits and now - self._hits[0] >= self.window:
                self._hits.popleft()
            return self.limit - len(self._hits)
