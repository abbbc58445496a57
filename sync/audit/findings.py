"""A finding (one rule broken by one record) and links to the record in its CRM."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from connectors.core.registry import profile_of

__all__ = ["Finding", "LinkBuilder", "table_of"]


@dataclass(frozen=True)
class Finding:
    """One rule broken by one record, attributed to the employee responsible."""

    rule: str
    source: str
    object: str
    remote_id: str
    employee: str | None
    user_id: str | None
    message: str
    link: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON output, store rows)."""
        return asdict(self)

    def sort_key(self) -> tuple[str, str, str, str]:
        """Deterministic order: rule, source, object, id."""
        return (self.rule, self.source, self.object, self.remote_id)


class LinkBuilder:
    """Builds the URL of a record in its CRM: the source's own template, else its
    connector profile's ``record_url``; ``source:object/id`` when neither exists."""

    def __init__(
        self,
        kinds: dict[str, str],
        bases: dict[str, str],
        templates: dict[str, str],
        portal_id: str,
    ) -> None:
        self._kinds = kinds
        self._bases = bases
        self._templates = templates
        self._portal = portal_id

    def __call__(self, source: str, obj: str, remote_id: str) -> str:
        profile = profile_of(self._kinds.get(source, source))
        link = profile.link(
            obj,
            remote_id,
            template=self._templates.get(source),
            base=self._bases.get(source),
            portal=self._portal,
        )
        return link if link is not None else f"{source}:{obj}/{remote_id}"


def table_of(kind: str, obj: str) -> str:
    """The store table of a finding's CRM object name (``Opportunity`` -> ``deals``), the
    inverse of the connector profile's ``object_names``; the name itself when unknown."""
    for stream, name in profile_of(kind).object_names.items():
        if name == obj:
            return stream
    return obj
