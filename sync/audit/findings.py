"""A finding (one rule broken by one record) and links to the record in its CRM."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Finding", "LinkBuilder"]

_DEFAULT_LINKS = {
    "salesforce": "{base}/lightning/r/{object}/{id}/view",
    "hubspot": "https://app.hubspot.com/contacts/{portal}/record/{type_id}/{id}",
    "zoho": "{base}/crm/tab/{object}/{id}",
}
_DEFAULT_BASE = {"salesforce": "https://login.salesforce.com", "zoho": "https://crm.zoho.com"}
_HUBSPOT_TYPES = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}


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
    """Builds the URL of a record in its CRM from per-source templates."""

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
        kind = self._kinds.get(source, source)
        template = self._templates.get(source) or _DEFAULT_LINKS.get(kind)
        if template is None:
            return f"{source}:{obj}/{remote_id}"
        base = self._bases.get(source) or _DEFAULT_BASE.get(kind, "")
        return template.format(
            base=base.rstrip("/"),
            object=obj,
            type_id=_HUBSPOT_TYPES.get(obj, obj),
            id=remote_id,
            portal=self._portal,
        )
