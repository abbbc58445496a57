"""Options and helpers shared by the commands that read the configuration."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from sync.clock import utc_now
from sync.errors import UsageError

if TYPE_CHECKING:
    from sync.config import CrmsyncConfig

__all__ = ["ConfigOption", "JsonOption", "config_path", "err", "load", "out", "utc_now"]

out = Console()
err = Console(stderr=True)

ConfigOption = typer.Option(
    None,
    "--config",
    "-c",
    help="Configuration file (default: $CRMSYNC_CONFIG or ./crmsync.yaml).",
    show_default=False,
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON.")


def config_path(config: Path | None) -> Path:
    """The file ``--config`` names, else $CRMSYNC_CONFIG, else ./crmsync.yaml."""
    return config or Path(os.environ.get("CRMSYNC_CONFIG", "crmsync.yaml"))


def load(config: Path | None, connectors: bool = True) -> CrmsyncConfig:
    """The configuration; ``connectors=False`` for commands that only read the store
    (see :func:`sync.config.load_config`)."""
    path = config_path(config)
    if not path.exists():
        raise UsageError(
            f"no configuration at {path}: pass --config FILE, set CRMSYNC_CONFIG, "
            "or start from `crmsync init` (every key: `crmsync config example`)"
        )
    # Imported here: the configuration models pull in the plans and connectors packages,
    # which commands that read no configuration (``--help``, ``init``) do without.
    from sync.config import load_config

    return load_config(path, connectors=connectors)
