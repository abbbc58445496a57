"""The data crmsync ships: ``templates/`` and ``config/`` (example configuration, example
plans and rates), found the same way from a wheel and from a source checkout.

In the repository both folders stay at the root (they are data, not code). The build maps
them into this package (``setup.py``: ``crmsync_data.templates`` is ``templates/``,
``crmsync_data.config`` is ``config/``), so an installed wheel holds them next to this
file and :mod:`importlib.resources` finds them; in a source checkout or an editable install
they are not next to this file, and the repository root is used instead.

Templates are read from the file system (Jinja2's ``FileSystemLoader``), so crmsync must be
installed as files, not imported from a zip archive.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["EXAMPLE_CONFIG", "PLANS", "data_dir", "example_config", "example_plans", "templates"]

EXAMPLE_CONFIG = "crmsync.example.yaml"
PLANS = "plans"


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` (``templates`` or ``config``)."""
    packaged = files(__name__) / name
    if packaged.is_dir():
        # An installed wheel: the folder is a subpackage on the file system.
        return Path(str(packaged))
    # A source checkout (or an editable install): the folder at the repository root.
    return Path(__file__).resolve().parent.parent / name


def templates(kind: str) -> Path:
    """The folder of the default templates of ``kind`` (``reports`` or ``statements``)."""
    return data_dir("templates") / kind


def example_plans() -> Path:
    """The example plans, their assignments and ``rates.yaml`` (the demo's plans)."""
    return data_dir("config") / PLANS


def example_config() -> Path:
    """The example configuration that shows every key with comments."""
    return data_dir("config") / EXAMPLE_CONFIG
