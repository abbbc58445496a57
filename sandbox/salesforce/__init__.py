"""The Salesforce emulator of the sandbox (REST, Bulk 2.0 query, Tooling, OAuth)."""

from __future__ import annotations

from sandbox.salesforce.app import SalesforceEmulator, SalesforceLimits

__all__ = ["SalesforceEmulator", "SalesforceLimits"]
