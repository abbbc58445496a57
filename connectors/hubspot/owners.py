"""HubSpot owners (the portal's users): paging them, and mapping them to ``User`` records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.core.errors import SkippableRecordError
from connectors.core.records import User

if TYPE_CHECKING:
    from connectors.hubspot.apis import Apis
    from connectors.hubspot.http import HubSpotHttp

__all__ = ["map_owner", "owner_pages"]

_OWNER_PAGE = 500


def owner_pages(http: HubSpotHttp, apis: Apis, archived: bool) -> Iterator[dict[str, Any]]:
    """Every owner (live, or archived ones), 500 per call."""
    after: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": _OWNER_PAGE, "archived": archived}
        if after:
            kwargs["after"] = after
        body = http.call(apis.owners.get_page, **kwargs).body or {}
        results = body.get("results") or []
        yield from results
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        if not after or not results:
            return


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
