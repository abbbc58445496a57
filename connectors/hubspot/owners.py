"""HubSpot owners (the portal's users) -> ``User`` records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.core.errors import SkippableRecordError
from connectors.core.records import User

__all__ = ["map_owner"]


def _dt(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def map_owner(source: str, owner: dict[str, Any]) -> User:
    """An owner; archived owners (people who left) are deleted users."""
    rid = str(owner.get("id") or "")
    try:
        if not rid:
            raise ValueError("the owner has no id")
        first, last = owner.get("firstName"), owner.get("lastName")
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
        archived = bool(owner.get("archived"))
        return User(
            source=source,
            remote_id=rid,
            remote_created_at=_dt(owner.get("createdAt")),
            remote_updated_at=_dt(owner.get("updatedAt")),
            deleted=archived,
            deleted_at=_dt(owner.get("updatedAt")) if archived else None,
            raw=owner,
            email=owner.get("email"),
            first_name=first,
            last_name=last,
            name=" ".join(n for n in (first, last) if n) or None,
            is_active=not archived,
            department=primary.get("name") if primary else None,
            role=owner.get("type"),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise SkippableRecordError(
            f"cannot map owner {rid or '?'}: {type(exc).__name__}: {exc}",
            source=source,
            record_id=rid or None,
        ) from exc
