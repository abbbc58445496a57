"""The CRMs' own exchange rates, put before the rates file where the config says so.

``compensation.crm_rates`` lists sources whose stored rates (``sync/store/rates.py``,
read by ``crmsync sync`` with the source's ``exchange_rates`` on) convert deal amounts.
Per currency pair (either direction), the first listed source that has the pair gives
all its rates, and the rates file the pairs no listed source has, and a listed pair's days
before its CRM's first rate: one pair never mixes two sources' histories from the day a
CRM keeps it, so a deal converts at the rate its CRM used on its close date (or whichever
date the plan's ``rate_date`` says), and the result line names that rate's source
(``salesforce DatedConversionRate``).

A listed source with no stored rates is a configuration error, never a silent fallback
to the file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from compensation.rates import RateTable
from sync.config.compensation import CompensationConfig
from sync.errors import UsageError
from sync.store.rates import stored_rates

__all__ = ["with_crm_rates"]

Row = tuple[str, str, date, Decimal, str]
_ONE = Decimal(1)


def with_crm_rates(engine: Engine, config: CompensationConfig, rates: RateTable) -> RateTable:
    """``rates`` (the file's) with the listed sources' rates in front, per pair."""
    if not config.crm_rates:
        return rates
    rows: list[Row] = []
    first: dict[frozenset[str], tuple[str, str, date]] = {}  # pair -> its CRM's first rate
    for source in config.crm_rates:
        stored = stored_rates(engine, source)
        if not stored:
            raise UsageError(
                f"compensation.crm_rates names {source!r}, which has no stored exchange "
                f"rates: set exchange_rates: true on that source and run `crmsync sync "
                f"--source {source}`"
            )
        mine: dict[frozenset[str], tuple[str, str, date]] = {}
        for r in stored:
            pair = frozenset((r.base, r.quote))
            if pair in first:
                continue  # an earlier listed source keeps this pair
            rows.append((r.base, r.quote, r.start, r.rate, f"{source} {r.origin}"))
            known = mine.get(pair)
            if known is None or r.start < known[2]:
                mine[pair] = (r.base, r.quote, r.start)
        first |= mine
    for from_ccy, to_ccy, day, value, origin in rates.rows():
        crm = first.get(frozenset((from_ccy, to_ccy)))
        if crm is None:
            rows.append((from_ccy, to_ccy, day, value, origin))
        elif day < crm[2]:
            # before the CRM's first rate of the pair, the file's rate still holds: put in
            # the CRM's direction, so that the CRM's rates win from their first day on
            if (from_ccy, to_ccy) == crm[:2]:
                rows.append((from_ccy, to_ccy, day, value, origin))
            else:
                rows.append((to_ccy, from_ccy, day, _ONE / value, f"inverse of {origin}"))
    return RateTable(rows)
