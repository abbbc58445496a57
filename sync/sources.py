"""Build connector instances from validated source configuration."""

from __future__ import annotations

from connectors.core.budget import QuotaBudget
from connectors.core.channels import ChannelMap
from connectors.core.contract import Connector
from connectors.core.custom import MapsCustomObjects
from connectors.core.errors import ConnectorConfigError
from connectors.core.registry import load_connector
from sync.config.models import SourceConfig

__all__ = ["build_connector"]


def build_connector(source: SourceConfig) -> Connector:
    """A connector for ``source``, with its channel overrides and API quota share."""
    cls = load_connector(source.kind)
    channels = ChannelMap(source.kind, source.channels.model_dump())
    quota = QuotaBudget(source.api_quota_share, source=source.name)
    connector: Connector = cls(source.name, source.settings, channels=channels, quota=quota)
    if source.custom_objects:
        add_custom_streams(connector, source)
    return connector


def add_custom_streams(connector: Connector, source: SourceConfig) -> None:
    """Serve the source's mapped custom objects as streams of ``connector``."""
    if not isinstance(connector, MapsCustomObjects):
        connector.close()
        raise ConnectorConfigError(
            f"connector kind {source.kind!r} cannot read custom objects; remove "
            "custom_objects from this source",
            source=source.name,
        )
    standard = {s.name for s in connector.streams()}
    taken = sorted(standard & {m.stream_name for m in source.custom_objects})
    if taken:
        connector.close()
        raise ConnectorConfigError(
            f"custom object stream {', '.join(taken)} is a standard stream's name; set "
            "`stream:` to another name",
            source=source.name,
        )
    connector.add_custom_streams(source.custom_objects)
