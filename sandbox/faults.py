"""Fault injection and rate limiting for the emulators.

Profiles:

- ``none``: every request succeeds (limits are still counted and reported in headers).
- ``flaky``: a fixed share of the distinct requests an emulator receives fails once, and
  the failures take every kind in turn, so a run of a few dozen requests meets every retry
  path. Rates (``PUT /_sandbox/faults`` changes them):

  - ``failure_rate`` (default 0.25): that share of the distinct requests (method, path,
    query and body; not the token) fails on its first attempt, evenly spread (0.25: one
    in four); the retry of the same request gets through.
  - the kinds, in turn (one of each per six failures): a 5xx (500/502/503 as the CRM
    sends it), a 429 with ``Retry-After``, a 429 without it, a timeout (the answer is held
    ``slow_s`` seconds, default 2, then is a 504: a client with a shorter timeout sees a
    timeout), an expired token (the token is revoked and the CRM's own 401 body sent;
    only on requests whose token can expire: HubSpot private-app tokens cannot), and a
    dropped connection (headers and part of the body, then the connection closes).
  - ``latency_rate`` (default 0.05): that share of attempts is slowed by 20-80 ms.

  The schedule is a pure function of the seed and the order of the distinct requests, so
  the same client run sees the same faults. ``injected`` counts the faults served per kind
  (``GET /_sandbox/faults`` shows it).
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

__all__ = ["FAILURE_KINDS", "Fault", "FaultKind", "FaultPlan", "FaultProfile", "RollingWindow"]


class FaultProfile(StrEnum):
    NONE = "none"
    FLAKY = "flaky"
    STRICT = "strict"


class FaultKind(StrEnum):
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"  # 429 with Retry-After
    RATE_LIMITED_NO_WAIT = "rate_limited_no_retry_after"
    TIMEOUT = "timeout"  # held slow_s seconds, then a 504
    TOKEN_EXPIRED = "token_expired"
    DROPPED = "dropped_connection"
    LATENCY = "latency"  # slowed down, then answered normally


# The failures of the flaky profile, in the order they take turns.
FAILURE_KINDS = (
    FaultKind.SERVER_ERROR,
    FaultKind.RATE_LIMITED,
    FaultKind.RATE_LIMITED_NO_WAIT,
    FaultKind.TIMEOUT,
    FaultKind.TOKEN_EXPIRED,
    FaultKind.DROPPED,
)


@dataclass(frozen=True)
class Fault:
    """What to do to one request. ``status`` is set for server errors and timeouts."""

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
        failure_rate: float = 0.25,
        latency_rate: float = 0.05,
        slow_s: float = 2.0,
    ) -> None:
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self.seed = seed
        self.profile = FaultProfile(profile)
        self.failure_rate = failure_rate
        self.latency_rate = latency_rate
        self.slow_s = slow_s
        # every request waits this long before it is answered (0: none), as a CRM across
        # the internet does; the admin calls under /_sandbox/ do not
        self.round_trip_s = 0.0
        self.injected: Counter[str] = Counter()
        self._reset()

    @property
    def strict(self) -> bool:
        return self.profile is FaultProfile.STRICT

    def configure(
        self,
        profile: FaultProfile | str,
        failure_rate: float | None = None,
        slow_s: float | None = None,
        round_trip_s: float | None = None,
    ) -> None:
        if failure_rate is not None and not 0 <= failure_rate <= 1:
            raise ValueError("failure_rate must be between 0 and 1")
        if slow_s is not None and not 0 <= slow_s <= 60:
            raise ValueError("slow_s must be between 0 and 60 seconds")
        if round_trip_s is not None and not 0 <= round_trip_s <= 5:
            raise ValueError("round_trip_s must be between 0 and 5 seconds")
        with self._lock:
            self.profile = FaultProfile(profile)
            if failure_rate is not None:
                self.failure_rate = failure_rate
            if slow_s is not None:
                self.slow_s = slow_s
            if round_trip_s is not None:
                self.round_trip_s = round_trip_s
            self._reset()

    def _reset(self) -> None:
        self._seen.clear()
        self.injected.clear()
        # The seed picks where the schedule starts: which request fails first, which kind.
        self._credit = self._draw("start", "credit")
        turn = int(self._draw("start", "kind") * len(FAILURE_KINDS))
        self._kinds = deque(FAILURE_KINDS[turn:] + FAILURE_KINDS[:turn])

    def counts(self) -> dict[str, int]:
        """Faults served so far, per kind (every kind listed, zero included)."""
        with self._lock:
            return {kind.value: self.injected[kind.value] for kind in FaultKind}

    def decide(
        self, method: str, path: str, query: str, body: bytes, token_can_expire: bool = True
    ) -> Fault | None:
        """The fault for this request, if any; ``token_can_expire`` says whether an expired
        token is a fault this request can get (it has a token that can expire)."""
        if self.profile is not FaultProfile.FLAKY:
            return None
        digest = hashlib.blake2b(body, digest_size=8).hexdigest() if body else ""
        key = f"{method} {path}?{query}#{digest}"
        with self._lock:
            attempt = self._seen[key]
            self._seen[key] += 1
            fault = self._failure(key, token_can_expire) if attempt == 0 else None
            if fault is None and self._draw(key, f"slow{attempt}") < self.latency_rate:
                fault = Fault(FaultKind.LATENCY, delay=0.02 + 0.06 * self._draw(key, "delay"))
            if fault is not None:
                self.injected[fault.kind.value] += 1
        return fault

    def _failure(self, key: str, token_can_expire: bool) -> Fault | None:
        self._credit += self.failure_rate
        if self._credit < 1:
            return None
        self._credit -= 1
        kind = next(k for k in self._kinds if token_can_expire or k is not FaultKind.TOKEN_EXPIRED)
        self._kinds.remove(kind)
        self._kinds.append(kind)
        if kind is FaultKind.SERVER_ERROR:
            return Fault(kind, status=(500, 502, 503)[int(self._draw(key, "status") * 3) % 3])
        if kind is FaultKind.RATE_LIMITED:
            return Fault(kind, retry_after=1)
        if kind is FaultKind.TIMEOUT:
            return Fault(kind, status=504, delay=self.slow_s)
        return Fault(kind)

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
