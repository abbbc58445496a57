"""Microsoft Dynamics 365 Sales (Dataverse Web API) connector."""

from __future__ import annotations

from connectors.dynamics.connector import DynamicsConnector
from connectors.dynamics.settings import DynamicsSettings

__all__ = ["DynamicsConnector", "DynamicsSettings"]
