"""SugarCRM (REST API v11) connector."""

from __future__ import annotations

from connectors.sugarcrm.connector import SugarCRMConnector
from connectors.sugarcrm.settings import SugarCRMSettings

__all__ = ["SugarCRMConnector", "SugarCRMSettings"]
