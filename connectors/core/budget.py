"""The share of a CRM's API quota crmsync may use, read from the CRM's limit headers.

Each connector reports what the CRM says after every response (``observe(used, limit)``,
e.g. Salesforce ``Sforce-Limit-Info: api-usage=N/M``, HubSpot
``X-HubSpot-RateLimit-Daily``/``-Remaining``) and asks ``check()`` before each call. Once
usage reaches ``share`` of the limit, ``check`` raises ``QuotaExhausted``: the source stops
cleanly with its state saved and resumes in a later run. Pulls and pushes share one budget
per connector instance.
"""

from __future__ import annotations

import threading

from connectors.core.errors import QuotaExhausted

__all__ = ["QuotaBudget"]


class QuotaBudget:
    def __init__(self, share: float = 1.0, source: str | None = None) -> None:
        if not 0 < share <= 1:
            raise ValueError("the API quota share must be in (0, 1]")
        self.share = share
        self.source = source
        self.calls = 0
        self.used: int | None = None
        self.limit: int | None = None
        self._lock = threading.Lock()

    def observe(self, used: int | None, limit: int | None) -> None:
        with self._lock:
            if used is not None:
                self.used = used
            if limit is not None:
                self.limit = limit

    def count_call(self) -> None:
        with self._lock:
            self.calls += 1

    def check(self) -> None:
        with self._lock:
            used, limit = self.used, self.limit
        if used is None or not limit:
            return
        allowed = int(limit * self.share)
        if used >= allowed:
            raise QuotaExhausted(
                f"API quota reached: {used} of {limit} calls used, and crmsync may use "
                f"{self.share:.0%} ({allowed}); the next run resumes from the saved state",
                source=self.source,
            )

    @property
    def remaining(self) -> int | None:
        if self.used is None or not self.limit:
            return None
        return max(0, int(self.limit * self.share) - self.used)
