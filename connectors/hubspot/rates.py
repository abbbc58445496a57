"""HubSpot's exchange rates: the multi-currency settings API (v3).

A portal with additional currencies keeps, per currency, dated rates into its company
currency: ``conversionRate`` converts one ``fromCurrencyCode`` into ``toCurrencyCode`` from
``effectiveAt`` (``GET /settings/v3/currencies/exchange-rates``, paged with ``after``;
scope ``multi-currency-read``). The official client has no multi-currency API, so the
calls go through its generic ``call_api`` with the same token, retries and error
translation as every other call. A portal without additional currencies has no rates:
reading them is a configuration error, said in one line.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connectors.core.errors import ConnectorConfigError
from connectors.core.rates import ExchangeRate

if TYPE_CHECKING:
    from connectors.hubspot.apis import Apis
    from connectors.hubspot.http import HubSpotHttp

__all__ = ["read_exchange_rates"]

_RATES = "/settings/v3/currencies/exchange-rates"
_PAGE = 100


def read_exchange_rates(http: HubSpotHttp, apis: Apis) -> list[ExchangeRate]:
    """Every exchange rate of the portal, in the API's order."""
    out: list[ExchangeRate] = []
    after: str | None = None
    while True:
        query: dict[str, Any] = {"limit": _PAGE} | ({"after": after} if after else {})
        body = http.call(apis.get(_RATES, query)).body or {}
        for item in body.get("results") or []:
            try:
                rate = Decimal(str(item["conversionRate"]))
                start = datetime.fromisoformat(str(item["effectiveAt"])).date()
            except (KeyError, ValueError, InvalidOperation) as exc:
                raise ConnectorConfigError(
                    f"HubSpot exchange rate {item.get('id')}: unreadable ({exc})",
                    source=http.source,
                ) from exc
            base = str(item["fromCurrencyCode"]).upper()
            quote = str(item["toCurrencyCode"]).upper()
            if base != quote and rate > 0:
                rid = str(item["id"])
                out.append(ExchangeRate(base, quote, rate, start, rid, "exchange-rates"))
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            break
    if not out:
        raise ConnectorConfigError(
            f"HubSpot source {http.source!r} keeps no exchange rates (the portal has no "
            "additional currencies): turn exchange_rates off for it",
            source=http.source,
        )
    return out
