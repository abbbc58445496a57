"""Which fields to ask for per module, from ``/settings/fields``, cached.

Field metadata costs one call per module. It is kept on the connector for its lifetime
and in the stream state (with the server time it was read), so incremental runs within
``fields_ttl_s`` spend no call on it. A full read always re-reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.zoho.fields import STANDARD_FIELDS, field_list
from connectors.zoho.http import ZohoHttp

__all__ = ["FieldCatalog", "ModuleFields"]


@dataclass(frozen=True)
class ModuleFields:
    fields: tuple[str, ...]
    custom: tuple[str, ...]
    read_at: datetime
    # The standard fields asked for when the list was chosen: a list saved by a version that
    # read fewer standard fields is chosen again, whatever its age.
    standard: tuple[str, ...] = ()

    def to_state(self) -> dict[str, Any]:
        return {
            "fields": list(self.fields),
            "custom": list(self.custom),
            "fields_at": self.read_at.isoformat(),
            "standard": list(self.standard),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ModuleFields | None:
        try:
            return cls(
                tuple(state["fields"]),
                tuple(state["custom"]),
                datetime.fromisoformat(state["fields_at"]),
                tuple(state.get("standard") or ()),
            )
        except (KeyError, TypeError, ValueError):
            return None


class FieldCatalog:
    """Field lists per module: from this instance, the saved state, or the API."""

    def __init__(self, http: ZohoHttp, ttl_s: float) -> None:
        self._http = http
        self._ttl = timedelta(seconds=ttl_s)
        self._cache: dict[str, ModuleFields] = {}
        self._stale: set[str] = set()

    def get(
        self, module: str, saved: dict[str, Any] | None, now: datetime, refresh: bool
    ) -> ModuleFields:
        cached = self._cache.get(module)
        if cached is not None:
            return cached
        if not refresh and saved and module not in self._stale:
            known = ModuleFields.from_state(saved)
            fresh = known is not None and timedelta(0) <= now - known.read_at < self._ttl
            if known is not None and fresh and known.standard == STANDARD_FIELDS[module]:
                self._cache[module] = known
                return known
        return self.fetch(module, now)

    def fetch(self, module: str, now: datetime) -> ModuleFields:
        response = self._http.api("GET", "/settings/fields", params={"module": module})
        meta = (response.body or {}).get("fields") or []
        names = [f["api_name"] for f in meta if f.get("api_name")]
        custom = [f["api_name"] for f in meta if f.get("custom_field") and f.get("api_name")]
        chosen = field_list(module, names, custom)
        result = ModuleFields(
            tuple(chosen),
            tuple(c for c in custom if c in chosen),
            response.date or now,
            STANDARD_FIELDS[module],
        )
        self._cache[module] = result
        self._stale.discard(module)
        return result

    def forget(self, module: str) -> None:
        """A field was created: the next read re-reads the metadata."""
        self._cache.pop(module, None)
        self._stale.add(module)
