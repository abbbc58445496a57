"""The exchange-rates step of a source's sync: the CRM's dated rates, stored whole.

Runs after the streams when the source's ``exchange_rates`` is on (not on a dry run, nor
when only some streams were asked for). It shows in the run's report and ``crmsync status``
as one more stream, ``exchange_rates``: a CRM that keeps no rates fails it with the
one-line reason, and the other streams' results stand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from connectors.core.contract import Connector
from connectors.core.errors import ConnectorError
from connectors.core.rates import ReadsExchangeRates
from sync.pull.runs import RunLedger
from sync.store.pages import PageCounts

__all__ = ["STREAM", "RatesOutcome", "sync_rates"]

STREAM = "exchange_rates"


@dataclass
class RatesOutcome:
    status: str
    counts: PageCounts = field(default_factory=PageCounts)
    api_calls: int = 0
    seconds: float = 0.0
    error: str | None = None


def sync_rates(
    engine: Engine,
    connector: Connector,
    source: str,
    ledger: RunLedger,
    now: Callable[[], datetime],
) -> RatesOutcome:
    """Read the CRM's rates and store them as the source's set, recorded as a stream."""
    started = time.perf_counter()
    ledger.start_stream(STREAM)
    calls = connector.api_usage().calls
    if not isinstance(connector, ReadsExchangeRates):
        outcome = RatesOutcome("failed", error=f"the {source!r} connector reads no exchange rates")
    else:
        # the rates' model (SQLModel) loads only for a source that reads rates
        from sync.store.rates import replace_rates

        try:
            counts = replace_rates(engine, source, connector.exchange_rates(), now())
            outcome = RatesOutcome("succeeded", counts)
        except ConnectorError as exc:
            outcome = RatesOutcome("failed", error=exc.user_message)
    outcome.api_calls = connector.api_usage().calls - calls
    outcome.seconds = time.perf_counter() - started
    ledger.finish_stream(
        STREAM, outcome.status, outcome.counts, outcome.api_calls, outcome.seconds, outcome.error
    )
    return outcome
