"""Find connectors through the ``crmsync.connectors`` entry-point group.

Built-in connectors register there too (see ``pyproject.toml``), so a third-party
connector package is a first-class citizen: ``pip install`` it and name its kind in YAML.
Connectors are loaded lazily, by name. A connector's CRM profile (``connectors/core/profile.py``)
is found the same way: it is the ``profile`` attribute of the registered class.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from connectors.core.errors import ConnectorConfigError
from connectors.core.profile import CrmProfile

__all__ = [
    "ENTRY_POINT_GROUP",
    "available_connectors",
    "installed_profiles",
    "load_connector",
    "profile_of",
]

ENTRY_POINT_GROUP = "crmsync.connectors"


def available_connectors() -> dict[str, EntryPoint]:
    """Installed connector kinds and where they come from."""
    return dict(_registered())


@cache
def _registered() -> dict[str, EntryPoint]:
    # Reading the entry points scans every installed distribution's metadata (~10 ms);
    # what is installed does not change while a process runs, so it is read once.
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_connector(kind: str) -> type:
    """The connector class registered as ``kind``; a clear error for an unknown name."""
    found = available_connectors()
    if kind not in found:
        close = difflib.get_close_matches(kind, found, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(found)) or "none installed"
        raise ConnectorConfigError(
            f"unknown connector kind {kind!r}.{hint} Installed kinds: {known}. A plugin "
            f"registers its connector in the {ENTRY_POINT_GROUP!r} entry-point group."
        )
    try:
        return found[kind].load()
    except ImportError as exc:
        raise ConnectorConfigError(
            f"connector kind {kind!r} is installed but cannot be imported: {exc}"
        ) from exc


@cache
def profile_of(kind: str) -> CrmProfile:
    """The CRM profile of the connector registered as ``kind``; the neutral
    ``CrmProfile(kind)`` when no such connector is installed or it declares none."""
    found = available_connectors().get(kind)
    if found is None:
        return CrmProfile(kind)
    try:
        connector = found.load()
    except ImportError:
        return CrmProfile(kind)
    profile = getattr(connector, "profile", None)
    return profile if isinstance(profile, CrmProfile) else CrmProfile(kind)


def installed_profiles() -> dict[str, CrmProfile]:
    """The profile of every installed connector kind, by kind."""
    return {kind: profile_of(kind) for kind in sorted(available_connectors())}
