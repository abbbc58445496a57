"""Oracle Fusion Cloud Sales (CX Sales REST API 11.13.18.05) connector."""

from __future__ import annotations

from connectors.oracle.connector import OracleConnector
from connectors.oracle.settings import OracleSettings

__all__ = ["OracleConnector", "OracleSettings"]
