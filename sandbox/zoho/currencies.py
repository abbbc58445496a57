"""The Zoho org's currencies and each record's ``Exchange_Rate``.

A Zoho org with multiple currencies has a home currency (``is_base``) and the others,
each with an exchange rate the admin keeps up to date: units of that currency per one
unit of the home currency. Every record with a currency field stores ``Currency`` and
``Exchange_Rate``, the rate in force when the record was saved; a later change of the
org's rate leaves existing records as they are (a home-currency record has rate 1).

The sandbox org's home currency is USD (as ``GET /org`` says) and the admin sets each
rate on the first of every month: :func:`org_rate` is that rate, drawn from its own
random stream per currency and month, so that setting it changes no other value of a
world. ``GET /crm/{version}/org/currencies`` lists the currencies with today's rates.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["HOME_CURRENCY", "org_rate", "register"]

HOME_CURRENCY = "USD"
# units per US dollar around which the monthly rates move (the org's first rates)
_CENTRAL = {"EUR": 0.92, "GBP": 0.79, "CHF": 0.88, "CAD": 1.36}
_NAMES = {
    "USD": ("US Dollar", "$"),
    "EUR": ("Euro", "€"),
    "GBP": ("Pound Sterling", "£"),
    "CHF": ("Swiss Franc", "CHF"),
    "CAD": ("Canadian Dollar", "CA$"),
}


def org_rate(seed: int, scale: str, currency: str, day: date) -> float:
    """The org's rate of ``currency`` (units per one USD) in force on ``day``: the one
    the admin set on the first of that month, within 3% of the currency's central rate,
    kept to six places; 1 for the home currency."""
    if currency == HOME_CURRENCY or currency not in _CENTRAL:
        return 1.0
    draw = random.Random(f"altamira:{seed}:{scale}:zoho-rates:{currency}:{day:%Y-%m}")
    return round(_CENTRAL[currency] * (1 + draw.uniform(-0.03, 0.03)), 6)


def _currency(app: ZohoEmulator, code: str, today: date) -> dict[str, Any]:
    name, symbol = _NAMES[code]
    world = app.world
    return {
        "id": str(5_725_767_000_000_100_000 + sorted(_NAMES).index(code)),
        "name": f"{name} - {code}",
        "iso_code": code,
        "symbol": symbol,
        "is_active": True,
        "is_base": code == HOME_CURRENCY,
        "exchange_rate": f"{org_rate(world.seed, world.scale, code, today):.9f}",
        "prefix_symbol": True,
        "format": {
            "decimal_separator": "Period",
            "thousand_separator": "Comma",
            "decimal_places": "2",
        },
    }


def register(app: ZohoEmulator) -> None:
    def currencies(request: Request, version: str) -> Response:
        today = app.clock.now().date()
        codes = [HOME_CURRENCY, *sorted(_CENTRAL)]
        return json_response({"currencies": [_currency(app, code, today) for code in codes]})

    app.api_route("GET", "/org/currencies", currencies)
