"""Exchange rates a CRM keeps: the optional ``ReadsExchangeRates`` capability.

A multi-currency CRM converts deal amounts with its own rates, and an org that keeps dated
rates (Salesforce's advanced currency management) keeps the rate in force on each day. A
connector that can read them implements ``exchange_rates()``: every rate it knows, as
``ExchangeRate`` rows against the org's corporate (home) currency, each valid from
``start`` until the next rate of the same currency starts. ``crmsync sync`` stores them
for a source whose ``exchange_rates`` is on, and the compute step converts with them for
the sources ``compensation.crm_rates`` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

__all__ = ["ExchangeRate", "ReadsExchangeRates"]


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """``1 base = rate quote`` from ``start`` (``base`` is the org's corporate currency);
    ``remote_id`` is the CRM's id of the rate, ``origin`` what the CRM calls it."""

    base: str
    quote: str
    rate: Decimal
    start: date
    remote_id: str
    origin: str


@runtime_checkable
class ReadsExchangeRates(Protocol):
    def exchange_rates(self) -> list[ExchangeRate]:
        """Every rate the CRM keeps; raises ``ConnectorConfigError`` when it keeps none."""
        ...
