"""Build connector instances from validated source configuration."""

from __future__ import annotations

from connectors.core.budget import QuotaBudget
from connectors.core.channels import ChannelMap
from connectors.core.contract import Connector
from connectors.core.registry import load_connector
from sync.config.models import SourceConfig

__all__ = ["build_connector"]


def build_connector(source: SourceConfig) -> Connector:
    """A connector for ``source``, with its channel overrides and API quota share."""
    cls = load_connector(source.kind)
    channels = ChannelMap(source.kind, source.channels.model_dump())
    quota = QuotaBudget(source.api_quota_share, source=source.name)
    connector: Connector = cls(source.name, source.settings, channels=channels, quota=quota)
    return connector
