"""Which fields to read from an object, from its ``describe`` (cached per connector)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.salesforce.http import SalesforceHttp

__all__ = ["RELATIONSHIP_FIELDS", "FieldCatalog", "ObjectFields"]

# compound and binary fields cannot be selected by Bulk queries; their parts can
_SKIPPED_TYPES = {"address", "location", "base64"}
# parent fields read alongside an object's own
RELATIONSHIP_FIELDS: dict[str, tuple[str, ...]] = {"CampaignMember": ("Campaign.Name",)}


@dataclass(frozen=True)
class ObjectFields:
    """The SELECT list of an object, its custom fields and each field's describe type."""

    object_name: str
    select: tuple[str, ...]
    custom: tuple[str, ...]
    types: dict[str, str]

    @classmethod
    def from_describe(cls, object_name: str, body: dict[str, Any]) -> ObjectFields:
        fields = [f for f in body.get("fields", []) if f.get("type") not in _SKIPPED_TYPES]
        select = [f["name"] for f in fields]
        select += RELATIONSHIP_FIELDS.get(object_name, ())
        return cls(
            object_name,
            tuple(select),
            tuple(f["name"] for f in fields if f.get("custom")),
            {f["name"]: str(f.get("type", "string")) for f in fields},
        )

    def has(self, name: str) -> bool:
        return name in self.types


class FieldCatalog:
    """Describe results per object, fetched once per connector instance."""

    def __init__(self, http: SalesforceHttp) -> None:
        self._http = http
        self._cache: dict[str, ObjectFields] = {}

    def get(self, object_name: str) -> ObjectFields:
        found = self._cache.get(object_name)
        if found is None:
            body = self._http.call(
                f"describe {object_name}", lambda sf: getattr(sf, object_name).describe()
            )
            found = ObjectFields.from_describe(object_name, body or {})
            self._cache[object_name] = found
        return found

    def forget(self, object_name: str) -> None:
        self._cache.pop(object_name, None)
