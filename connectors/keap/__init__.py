"""Keap (formerly Infusionsoft) connector: REST API v1."""

from __future__ import annotations

from connectors.keap.connector import KeapConnector
from connectors.keap.settings import KeapSettings

__all__ = ["KeapConnector", "KeapSettings"]
