"""Where a source's records live on the web, read from the configuration (for links to CRM
records in findings and reports)."""

from __future__ import annotations

from sync.config.models import CrmsyncConfig

__all__ = ["custom_object_prefixes", "source_links"]


def source_links(cfg: CrmsyncConfig) -> tuple[dict[str, str], dict[str, str]]:
    """Connector kind and web base URL per source name (for links to CRM records)."""
    kinds = {s.name: s.kind for s in cfg.sources}
    bases: dict[str, str] = {}
    for s in cfg.sources:
        base = getattr(s.settings, "instance_url", None)
        if base:
            bases[s.name] = str(base)
    return kinds, bases


def custom_object_prefixes(cfg: CrmsyncConfig) -> dict[str, tuple[str, ...]]:
    """Per source, the remote-id prefixes of its mapped custom objects (``Order__c/``)."""
    return {
        s.name: tuple(f"{m.object}/" for m in s.custom_objects)
        for s in cfg.sources
        if s.custom_objects
    }
