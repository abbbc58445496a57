"""The first page of every object's window and the due delete logs of a run, in one call.

The engine reads streams one after the other and hands each its own state only, so when
the first stream of an incremental run is read, the other streams' windows are guessed:
a finished run leaves every object at the same cursor (its signpost) and the same
delete-log time. The guesses go into the same Composite Batch as the stream's own
requests. An answer is only ever used for the exact URL it answers (same SOQL: fields,
bounds and keyset), so a wrong guess costs nothing but its unused answer, and the stream
whose state differs simply asks on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from connectors.core.errors import ConnectorFatalError, QuotaExhausted, RetriableError
from connectors.salesforce.batch import MAX_SUBREQUESTS, CompositeBatch

__all__ = ["FirstPages"]

log = logging.getLogger(__name__)


class FirstPages:
    """Answers fetched ahead for one run (one signpost), taken at most once each."""

    def __init__(self, batch: CompositeBatch) -> None:
        self._batch = batch
        self.signpost: datetime | None = None
        self._answers: dict[str, Any] = {}
        self.used = 0  # answers taken (for tests and logs)

    def fetched_for(self, signpost: datetime) -> bool:
        return self.signpost == signpost

    def fetch(self, signpost: datetime, urls: Sequence[str]) -> None:
        """One batch call for up to 25 URLs (the caller's own first); answers kept by URL."""
        self.signpost = signpost
        self._answers.clear()
        wanted = list(dict.fromkeys(urls))[:MAX_SUBREQUESTS]
        if not wanted:
            return
        try:
            answers = self._batch.get("first pages", wanted)
        except (QuotaExhausted, RetriableError):  # quota, or a CRM that stopped answering
            raise
        except ConnectorFatalError as exc:
            # an org without Composite Batch: every object asks on its own instead
            log.warning("composite batch refused, reading object by object: %s", exc)
            return
        self._answers = {url: a.body for url, a in zip(wanted, answers, strict=True) if a.ok}

    def take(self, url: str) -> Any | None:
        """The answer fetched for ``url`` in this run, once; ``None`` if there is none."""
        found = self._answers.pop(url, None)
        if found is not None:
            self.used += 1
        return found
