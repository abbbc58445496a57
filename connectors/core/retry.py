"""Retry transient failures with exponential backoff and jitter, honouring ``Retry-After``.

Connectors wrap each HTTP call in ``RetryPolicy.call``. Only ``RetriableError`` is retried;
``SessionExpired`` first runs the connector's ``on_session_expired`` hook (refresh the
token). Waiting for a rate limit is not a failure: when the server names a wait
(``retry_after``), the attempt is not counted against ``max_attempts`` more than
``max_rate_limit_waits`` times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from connectors.core.errors import RetriableError, SessionExpired

__all__ = ["RetryPolicy"]

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    max_rate_limit_waits: int = 20
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    retries: int = 0  # total retries made (for run statistics)

    def call(
        self, action: Callable[[], T], on_session_expired: Callable[[], None] | None = None
    ) -> T:
        failures = 0
        waits = 0
        while True:
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
                    delay = min(max(exc.retry_after, 0.0), self.max_delay * 4)
                else:
                    failures += 1
                    if failures >= self.max_attempts:
                        raise
                    delay = self._backoff(failures)
                self.retries += 1
                self.sleep(delay)

    def _backoff(self, failures: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)  # "equal jitter"
