"""Who created a store row, as its CRM records it (``Creators``): evidence credits the
creator of a campaign membership or a contact role with that act."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.core.profile import CrmProfile
from connectors.core.registry import profile_of
from sync.compute.snapshot import Row, StoreSnapshot

__all__ = ["Creators"]


class Creators:
    """Who created a row, by its source's connector profile (``CrmProfile.creator_of``)."""

    def __init__(self, snapshot: StoreSnapshot, kinds: Mapping[str, str] | None = None) -> None:
        self._kinds = dict(kinds or {})
        self._users: dict[str, list[tuple[str, Mapping[str, Any] | None]]] = {}
        for user in snapshot.rows("users"):
            raw = user.get("raw")
            users = self._users.setdefault(user["source"], [])
            users.append((user["remote_id"], raw if isinstance(raw, dict) else None))
        self._known: dict[str, tuple[CrmProfile, dict[str, str]]] = {}

    def __call__(self, row: Row) -> str | None:
        """The remote id of the user who created ``row``, if its CRM says."""
        source = row["source"]
        if source not in self._known:
            profile = profile_of(self._kinds.get(source, source))
            self._known[source] = (profile, profile.user_refs(self._users.get(source, [])))
        profile, refs = self._known[source]
        raw = row.get("raw")
        return profile.creator_of(raw if isinstance(raw, dict) else None, refs)
