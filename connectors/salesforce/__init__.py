"""The Salesforce connector (simple-salesforce): ``SalesforceConnector``, ``SalesforceSettings``."""

from connectors.salesforce.connector import SalesforceConnector
from connectors.salesforce.settings import SalesforceAuthSettings, SalesforceSettings

__all__ = ["SalesforceAuthSettings", "SalesforceConnector", "SalesforceSettings"]
