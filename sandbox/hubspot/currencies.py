"""The portal's currencies (multi-currency settings API, v3).

``GET /settings/v3/currencies/company-currency`` answers the company currency (USD);
``GET /settings/v3/currencies/exchange-rates`` pages (``limit`` 1-100, ``after``) through
the exchange rates: ``conversionRate`` converts one ``fromCurrencyCode`` into the company
currency (``toCurrencyCode``), in force from ``effectiveAt``; the newest of each currency
is the one ``visibleInUI``. A portal without additional currencies has none.

With the sandbox's dated rates on, the portal's finance team enters a rate per quarter for
the currencies its deals use (EUR, GBP, CHF): the Salesforce org's rate on the quarter's
first day, inverted (HubSpot quotes the other way round) and kept to six places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import validation_error

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["COMPANY_CURRENCY", "portal_rates", "register"]

COMPANY_CURRENCY = "USD"
_CURRENCIES = ("EUR", "GBP", "CHF")
_MAX_LIMIT = 100


def _iso(day: date) -> str:
    return datetime.combine(day, time(0), UTC).isoformat().replace("+00:00", "Z")


def portal_rates(start: date, salesforce: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One rate per quarter per currency from ``start``, from the org's dated rates."""
    out: list[dict[str, Any]] = []
    rows = sorted(salesforce, key=lambda r: (r["IsoCode"], r["StartDate"]))
    for code in _CURRENCIES:
        mine = [r for r in rows if r["IsoCode"] == code]
        days = [start] + [
            r["StartDate"] for r in mine if r["StartDate"] > start and r["StartDate"].month % 3 == 1
        ]
        for i, day in enumerate(days):
            rate = next(r for r in reversed(mine) if r["StartDate"] <= day)["ConversionRate"]
            out.append(
                {
                    "id": str(1000 + len(out)),
                    "fromCurrencyCode": code,
                    "toCurrencyCode": COMPANY_CURRENCY,
                    "conversionRate": round(1 / rate, 6),
                    "effectiveAt": _iso(day),
                    "createdAt": _iso(day),
                    "updatedAt": _iso(day),
                    "visibleInUI": i == len(days) - 1,
                }
            )
    return out


def company_currency(app: HubSpotEmulator, request: Request) -> Response:
    stamp = _iso(app.world.anchor.date())
    return json_response({"currencyCode": COMPANY_CURRENCY, "createdAt": stamp, "updatedAt": stamp})


def exchange_rates(app: HubSpotEmulator, request: Request) -> Response:
    raw = request.args.get("limit", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {_MAX_LIMIT}, got {raw}")
    after = request.args.get("after", "0")
    start = int(after) if after.isdigit() else 0
    with app.world.lock:
        rates = list(app.world.hubspot_rates)
    page = rates[start : start + int(raw)]
    body: dict[str, Any] = {"results": page}
    if start + int(raw) < len(rates):
        nxt = str(start + int(raw))
        body["paging"] = {"next": {"after": nxt, "link": f"{request.base_url}?after={nxt}"}}
    return json_response(body)


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/settings/v3/currencies/company-currency",
        lambda request: company_currency(app, request),
        ["GET"],
        endpoint="GET /settings/v3/currencies/company-currency",
    )
    app.add_route(
        "/settings/v3/currencies/exchange-rates",
        lambda request: exchange_rates(app, request),
        ["GET"],
        endpoint="GET /settings/v3/currencies/exchange-rates",
    )
