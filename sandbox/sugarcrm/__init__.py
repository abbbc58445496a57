"""The SugarCRM emulator (REST API v11): OAuth 2 password grant, the filter API, record
links, bulk writes and custom fields."""

from __future__ import annotations

from sandbox.sugarcrm.app import SugarCRMEmulator

__all__ = ["SugarCRMEmulator"]
