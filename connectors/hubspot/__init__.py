"""The HubSpot connector: full lists then search windows on the modified property with an
``hs_object_id`` keyset, v4 association batch reads, archived lists for deletes, owners,
batch updates and custom properties, through hubspot-api-client."""

from connectors.hubspot.connector import HubSpotConnector
from connectors.hubspot.settings import HubSpotOAuth, HubSpotPrivateApp, HubSpotSettings

__all__ = ["HubSpotConnector", "HubSpotOAuth", "HubSpotPrivateApp", "HubSpotSettings"]
