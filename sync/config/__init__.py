"""Configuration: typed models, YAML loading with locations, secrets."""

from sync.config.loader import ConfigError, load_config
from sync.config.models import CrmsyncConfig, SourceConfig, StoreConfig, parse_duration

__all__ = [
    "ConfigError",
    "CrmsyncConfig",
    "SourceConfig",
    "StoreConfig",
    "load_config",
    "parse_duration",
]
