"""The Zoho CRM connector: OAuth refresh, page-token reads on ``Modified_Time`` windows,
the deleted-records API, bulk updates and custom-field creation, over plain ``requests``."""

from connectors.zoho.connector import ZohoConnector
from connectors.zoho.settings import ZohoAuthSettings, ZohoSettings

__all__ = ["ZohoAuthSettings", "ZohoConnector", "ZohoSettings"]
