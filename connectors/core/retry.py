"""Retry transient failures with exponential backoff and jitter, honouring ``Retry-After``.

Connectors wrap each HTTP call in ``RetryPolicy.call``; it is the only retry layer (the
HTTP clients underneath are built with retries off). Only ``RetriableError`` is retried;
``SessionExpired`` first runs the connector's ``on_session_expired`` hook (refresh the
token). Waiting for a rate limit is not a failure: when the server names a wait
(``retry_after``), the attempt is not counted against ``max_attempts`` more than
``max_rate_limit_waits`` times.

Every wait is capped at ``max_wait`` seconds whatever the server asks (a ``Retry-After:
3600`` waits 120 s), and one call spends at most ``budget_s`` seconds in total (waits and
the attempts between them): when the next wait would pass the budget, the call gives up
with ``RetriesExhausted``, whose message says how many attempts and how long. With the
defaults one call makes at most 26 requests (20 rate-limit waits and 6 failures) and gives
up within 600 s plus one request timeout.

The default ``sleep`` is ``connectors.core.stopping.wait``: a daemon asked to stop ends a
wait at once (``StopWaiting``) instead of sleeping it out.

Hand-written rather than built on tenacity: what decides each step is the exception of the
attempt (a rate-limit wait the server names is counted apart from failures, an expired
session runs a hook and retries at once, the total budget counts fake sleeps), so with
tenacity the stop, wait and hook callbacks would keep these same counters across attempts
themselves, for no less code and one more dependency.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from connectors.core.errors import RetriableError, RetriesExhausted, SessionExpired
from connectors.core.stopping import wait

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@dataclass
class RetryPolicy:
    """How one call is retried; ``sleep`` and ``clock`` are the edges tests replace."""

    max_attempts: int = 6
    max_rate_limit_waits: int = 20
    base_delay: float = 0.5
    max_delay: float = 30.0  # cap of a backoff wait
    max_wait: float = 120.0  # cap of any wait, a server's Retry-After included
    budget_s: float = 600.0  # total time one call may take before it gives up
    sleep: Callable[[float], None] = wait
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    retries: int = 0  # total retries made (for run statistics)

    @classmethod
    def single_attempt(cls) -> RetryPolicy:
        """One attempt per call, no waits: for a quick check such as ``connectors check``."""
        return cls(max_attempts=1, max_rate_limit_waits=0, budget_s=0.0)

    def call(
        self, action: Callable[[], T], on_session_expired: Callable[[], None] | None = None
    ) -> T:
        failures = 0
        waits = 0
        attempts = 0
        waited = 0.0
        started = self.clock()
        while True:
            attempts += 1
            try:
                return action()
            except SessionExpired:
                failures += 1
                if on_session_expired is None or failures >= self.max_attempts:
                    raise
                self.retries += 1
                on_session_expired()
            except RetriableError as exc:
                if exc.retry_after is not None and waits < self.max_rate_limit_waits:
                    waits += 1
                    delay = min(max(exc.retry_after, 0.0), self.max_wait)
                else:
                    failures += 1
                    if failures >= self.max_attempts:
                        raise self._gave_up(exc, attempts, waited) from exc
                    delay = min(self._backoff(failures), self.max_wait)
                # Fake sleeps do not move a real clock, so the waits count on their own too.
                spent = max(self.clock() - started, waited)
                if spent + delay > self.budget_s:
                    raise self._gave_up(exc, attempts, waited) from exc
                self.retries += 1
                waited += delay
                self.sleep(delay)

    def _gave_up(self, exc: RetriableError, attempts: int, waited: float) -> RetriesExhausted:
        if attempts == 1:
            text = exc.user_message
        else:
            text = (
                f"{exc.user_message} (gave up after {attempts} attempts and {waited:.0f} s "
                f"of waiting)"
            )
        return RetriesExhausted(
            text,
            source=exc.source,
            stream=exc.stream,
            record_id=exc.record_id,
            status=exc.status,
            detail=exc.detail,
        )

    def _backoff(self, failures: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)  # "equal jitter"
