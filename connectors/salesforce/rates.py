"""Salesforce's exchange rates: ``DatedConversionRate`` against the corporate currency.

With advanced currency management enabled, an org keeps dated rates per currency
(``IsoCode``, ``ConversionRate`` = units of the currency per one unit of the corporate
currency, ``StartDate``; each valid until the next one's ``StartDate``) and converts each
opportunity at the rate in force on its close date. The corporate currency is the
``CurrencyType`` with ``IsCorporate``. An org without the feature has neither object:
reading rates from it is a configuration error, said in one line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connectors.core.errors import ConnectorConfigError, ConnectorError
from connectors.core.rates import ExchangeRate

if TYPE_CHECKING:
    from connectors.salesforce.http import SalesforceHttp

__all__ = ["read_exchange_rates"]

_CORPORATE = "SELECT IsoCode FROM CurrencyType WHERE IsCorporate = true"
_RATES = (
    "SELECT Id, IsoCode, ConversionRate, StartDate FROM DatedConversionRate "
    "ORDER BY IsoCode, StartDate"
)


def _records(http: SalesforceHttp, what: str, soql: str) -> list[dict[str, Any]]:
    try:
        body = http.call(what, lambda sf: sf.query_all(soql))
    except ConnectorError as exc:
        if "INVALID_TYPE" in str(exc) or "not supported" in str(exc):
            raise ConnectorConfigError(
                f"Salesforce source {http.source!r} keeps no dated exchange rates (advanced "
                "currency management is off): turn exchange_rates off for it",
                source=http.source,
            ) from exc
        raise
    return list(body.get("records") or [])


def read_exchange_rates(http: SalesforceHttp) -> list[ExchangeRate]:
    """Every dated rate of the org, in (currency, start) order."""
    corporate = _records(http, "read the corporate currency", _CORPORATE)
    if len(corporate) != 1 or not corporate[0].get("IsoCode"):
        raise ConnectorConfigError(
            f"Salesforce source {http.source!r} names no corporate currency (CurrencyType "
            "IsCorporate): it is not a multi-currency org",
            source=http.source,
        )
    base = str(corporate[0]["IsoCode"]).upper()
    out = []
    for row in _records(http, "read dated exchange rates", _RATES):
        try:
            # str(): a JSON number arrives as float; its shortest repr is the 6-place value
            rate = Decimal(str(row["ConversionRate"]))
            start = date.fromisoformat(str(row["StartDate"]))
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise ConnectorConfigError(
                f"Salesforce DatedConversionRate {row.get('Id')}: unreadable rate ({exc})",
                source=http.source,
            ) from exc
        quote = str(row["IsoCode"]).upper()
        if quote == base or rate <= 0:
            continue  # the corporate currency converts at 1 by definition
        out.append(ExchangeRate(base, quote, rate, start, str(row["Id"]), "DatedConversionRate"))
    return out
