"""Composite Batch: up to 25 independent GETs in one API call (``/composite/batch``).

Describes, the first page of each object's window query and the delete logs of a run are
independent reads, so the connector sends them together: Salesforce counts the batch as one
call. A subrequest that fails is answered in place (``SubResult.ok`` is false); the caller
decides whether that subrequest mattered and turns it into a connector error with
``SubResult.error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from connectors.core.errors import ConnectorError
from connectors.salesforce.http import translate

if TYPE_CHECKING:
    from connectors.salesforce.http import SalesforceHttp

__all__ = ["MAX_SUBREQUESTS", "CompositeBatch", "SubResult"]

MAX_SUBREQUESTS = 25


@dataclass(frozen=True)
class SubResult:
    """One subrequest's status and body (the resource's JSON, or its error array)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self, source: str | None, what: str) -> ConnectorError:
        return translate(self.status, self.body, source, what)


class CompositeBatch:
    """Sends relative GET URLs (``sobjects/Lead/describe``) in batches of 25."""

    def __init__(self, http: SalesforceHttp) -> None:
        self.http = http

    def get(self, what: str, urls: Sequence[str]) -> list[SubResult]:
        """The answers to ``urls`` (relative to the API version), in order."""
        version = f"v{self.http.settings.api_version}"
        timeout = self.http.settings.timeout_s
        results: list[SubResult] = []
        for start in range(0, len(urls), MAX_SUBREQUESTS):
            chunk = urls[start : start + MAX_SUBREQUESTS]
            body = {
                "haltOnError": False,
                "batchRequests": [{"method": "GET", "url": f"{version}/{u}"} for u in chunk],
            }
            answer = self.http.call(
                what,
                methodcaller(
                    "restful", "composite/batch", method="POST", json=body, timeout=timeout
                ),
            )
            items = (answer or {}).get("results") or []
            if len(items) != len(chunk):
                raise ConnectorError(
                    f"Salesforce {what}: {len(items)} answers to {len(chunk)} subrequests",
                    source=self.http.source,
                )
            results += [SubResult(int(i.get("statusCode", 0)), i.get("result")) for i in items]
        return results
