"""Zoho CRM emulator for the sandbox."""

from __future__ import annotations

from sandbox.zoho.app import ZohoEmulator
from sandbox.zoho.limits import ZohoLimits

__all__ = ["ZohoEmulator", "ZohoLimits"]
