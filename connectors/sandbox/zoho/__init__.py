"""Zoho CRM emulator for the sandbox."""

from __future__ import annotations

from connectors.sandbox.zoho.app import ZohoEmulator
from connectors.sandbox.zoho.limits import ZohoLimits

__all__ = ["ZohoEmulator", "ZohoLimits"]
