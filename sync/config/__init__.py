"""Configuration: typed models, YAML loading with locations, secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Loaded on first use: the models of every section and pydantic (about 0.2 s of start-up).
# Light submodules such as ``sync.config.steps`` are imported by the command line at start,
# and importing a submodule runs this package first: `crmsync --help` would pay for them.
_LAZY = {
    "ConfigError": "sync.config.loader",
    "load_config": "sync.config.loader",
    "CrmsyncConfig": "sync.config.models",
    "SourceConfig": "sync.config.models",
    "StoreConfig": "sync.config.models",
    "parse_duration": "sync.config.models",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
