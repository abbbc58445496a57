"""Exchange rates read from the CRMs, one set per source.

A source whose ``exchange_rates`` is on has its CRM's dated rates read on every sync and
stored here whole, replacing the previous set (a CRM edits and deletes rates in place, and
the sets are small: a rate per currency per month). The compute step converts with them
for the sources ``compensation.crm_rates`` names (``sync/compute/crm_rates.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine, UniqueConstraint, delete, select
from sqlmodel import Field, SQLModel

from connectors.core.rates import ExchangeRate
from sync.store.pages import PageCounts
from sync.store.table_model import table_of
from sync.store.types import DecimalText, UtcDateTime

__all__ = ["ExchangeRateRow", "replace_rates", "stored_rates"]


class ExchangeRateRow(SQLModel, table=True):
    """``1 base = rate quote`` from ``start`` until the next row of the pair, as ``source``
    keeps it (``origin``: the CRM's object, ``remote_id``: its id there)."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("source", "base", "quote", "start", name="uq_exchange_rates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40, index=True)
    base: str = Field(max_length=3)
    quote: str = Field(max_length=3)
    start: date
    rate: Decimal = Field(sa_type=DecimalText)
    remote_id: str = Field(max_length=64)
    origin: str = Field(max_length=40)
    read_at: datetime = Field(sa_type=UtcDateTime)


def replace_rates(
    engine: Engine, source: str, rates: Sequence[ExchangeRate], now: datetime
) -> PageCounts:
    """Store ``rates`` as ``source``'s whole set, in one transaction; the counts say what
    changed (a rate is the same when its pair, start and value are)."""
    table = table_of(ExchangeRateRow)
    rows = {
        (r.base, r.quote, r.start): {
            "source": source,
            "base": r.base,
            "quote": r.quote,
            "start": r.start,
            "rate": r.rate,
            "remote_id": r.remote_id,
            "origin": r.origin,
            "read_at": now,
        }
        for r in rates
    }  # a pair and day listed twice keeps its last rate
    counts = PageCounts(fetched=len(rates))
    with engine.begin() as conn:
        query = select(table.c.base, table.c.quote, table.c.start, table.c.rate)
        old = {(b, q, d): v for b, q, d, v in conn.execute(query.where(table.c.source == source))}
        for key, row in rows.items():
            if key not in old:
                counts.inserted += 1
            elif old[key] == row["rate"]:
                counts.unchanged += 1
            else:
                counts.updated += 1
        counts.deleted = len(old.keys() - rows.keys())
        conn.execute(delete(table).where(table.c.source == source))
        if rows:
            conn.execute(table.insert(), [rows[k] for k in sorted(rows)])
    return counts


def stored_rates(engine: Engine, source: str) -> list[ExchangeRateRow]:
    """``source``'s stored rates, by pair and start."""
    with engine.connect() as conn:
        query = (
            select(ExchangeRateRow)
            .where(ExchangeRateRow.source == source)  # type: ignore[arg-type]
            .order_by(ExchangeRateRow.base, ExchangeRateRow.quote, ExchangeRateRow.start)  # type: ignore[arg-type]
        )
        return [ExchangeRateRow.model_validate(dict(r._mapping)) for r in conn.execute(query)]
