"""Zoho's exchange rates: each deal's ``Exchange_Rate`` against the org's home currency.

A Zoho org with multiple currencies has a home currency (``GET /org/currencies``, the
one with ``is_base``) and keeps on every record its ``Currency`` and ``Exchange_Rate``:
units of that currency per one unit of the home currency, as the org's rate stood when
the record was saved (a later change of the org's rate leaves the record's alone). The
org keeps no history of its rates, so the deals are that history: each non-home-currency
deal gives the rate in force on the day it was created (UTC), the last created deal of a
day giving that day's rate, and a rate equal to the one before it adds no row. A plan
with ``rate_date: created_at`` therefore converts every Zoho deal at its own rate.

An org with one currency answers the currencies call with an error or no home currency:
reading rates from it is a configuration error, said in one line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connectors.core.errors import ConnectorConfigError, ConnectorFatalError
from connectors.core.rates import ExchangeRate
from connectors.zoho.mapping import parse_time
from connectors.zoho.reader import ModuleWindow

if TYPE_CHECKING:
    from connectors.zoho.http import ZohoHttp
    from connectors.zoho.reader import ModuleReader

__all__ = ["ORIGIN", "read_exchange_rates"]

ORIGIN = "Deals.Exchange_Rate"
_FIELDS = ("Currency", "Exchange_Rate", "Created_Time")


def home_currency(http: ZohoHttp) -> str:
    """The org's home currency; a one-currency org is a configuration error."""
    problem = (
        f"Zoho source {http.source!r} keeps no exchange rates (multiple currencies are "
        "off in the org): turn exchange_rates off for it"
    )
    try:
        body = http.api("GET", "/org/currencies").body or {}
    except ConnectorFatalError as exc:
        raise ConnectorConfigError(problem, source=http.source) from exc
    home = [c for c in body.get("currencies") or [] if c.get("is_base")]
    if len(home) != 1 or not home[0].get("iso_code"):
        raise ConnectorConfigError(problem, source=http.source)
    return str(home[0]["iso_code"]).upper()


def _rate(row: dict[str, Any], source: str) -> Decimal:
    try:
        # str(): a JSON number arrives as float; its shortest repr is the stored value
        return Decimal(str(row["Exchange_Rate"]))
    except (KeyError, InvalidOperation) as exc:
        raise ConnectorConfigError(
            f"Zoho deal {row.get('id')}: unreadable Exchange_Rate {row.get('Exchange_Rate')!r}",
            source=source,
        ) from exc


def read_exchange_rates(http: ZohoHttp, reader: ModuleReader) -> list[ExchangeRate]:
    """The rates the org's deals were saved at, in (currency, day) order."""
    home = home_currency(http)
    window = ModuleWindow("Deals", _FIELDS, None, None, timedelta(0), datetime.max, False)
    seen: list[tuple[str, datetime, str, Decimal]] = []
    for page in reader.read(window):
        for row in page.rows:
            quote = str(row.get("Currency") or home).upper()
            created = parse_time(row.get("Created_Time"))
            if quote == home or created is None or row.get("Exchange_Rate") in (None, ""):
                continue  # a home-currency deal converts at 1 by definition
            rate = _rate(row, http.source)
            if rate > 0:
                seen.append((quote, created.astimezone(UTC), str(row["id"]), rate))
    by_day: dict[tuple[str, str], tuple[str, Decimal]] = {}
    for quote, created, rid, rate in sorted(seen):  # the day's last created deal wins
        by_day[(quote, created.date().isoformat())] = (rid, rate)
    out: list[ExchangeRate] = []
    for (quote, day), (rid, rate) in sorted(by_day.items()):
        last = out[-1] if out else None
        if last is not None and last.quote == quote and last.rate == rate:
            continue  # the org's rate did not change since the last row
        start = datetime.fromisoformat(day).date()
        out.append(ExchangeRate(home, quote, rate, start, rid, ORIGIN))
    return out
