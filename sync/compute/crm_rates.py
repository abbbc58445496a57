"""The CRMs' own exchange rates, put before the rates file where the config says so.

``compensation.crm_rates`` lists sources whose stored rates (``sync/store/rates.py``,
read by ``crmsync sync`` with the source's ``exchange_rates`` on) convert deal amounts.
Per currency pair (either direction), the first listed source that has the pair gives
all its rates, and the rates file only the pairs no listed source has: one pair never
mixes two sources' histories, so a deal converts at the rate its CRM used on its close
date (or whichever date the plan's ``rate_date`` says), and a statement line names that
rate's source (``salesforce DatedConversionRate``).

A listed source with no stored rates is a configuration error, never a silent fallback
to the file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from compensation.rates import RateTable
from sync.compute.settings import CompensationConfig
from sync.errors import UsageError
from sync.store.rates import stored_rates

__all__ = ["with_crm_rates"]

Row = tuple[str, str, date, Decimal, str]


def with_crm_rates(engine: Engine, config: CompensationConfig, rates: RateTable) -> RateTable:
    """``rates`` (the file's) with the listed sources' rates in front, per pair."""
    if not config.crm_rates:
        return rates
    rows: list[Row] = []
    covered: set[frozenset[str]] = set()
    for source in config.crm_rates:
        stored = stored_rates(engine, source)
        if not stored:
            raise UsageError(
                f"compensation.crm_rates names {source!r}, which has no stored exchange "
                f"rates: set exchange_rates: true on that source and run `crmsync sync "
                f"--source {source}`"
            )
        pairs = {frozenset((r.base, r.quote)) for r in stored} - covered
        rows += [
            (r.base, r.quote, r.start, r.rate, f"{source} {r.origin}")
            for r in stored
            if frozenset((r.base, r.quote)) in pairs
        ]
        covered |= pairs
    rows += [row for row in rates.rows() if frozenset(row[:2]) not in covered]
    return RateTable(rows)
