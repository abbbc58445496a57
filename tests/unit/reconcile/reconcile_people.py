"""People for the matcher's unit tests, built as the loader leaves them (normalised)."""

from __future__ import annotations

from typing import Any

from sync.reconcile.entities import Entity


def lead(n: int, **values: Any) -> Entity:
    """Salesforce lead ``n`` (key ``salesforce:leads:0007``) with the given fields."""
    rid = f"{n:04d}"
    return Entity(
        key=f"salesforce:leads:{rid}",
        kind="person",
        source="salesforce",
        table="leads",
        remote_id=rid,
        **values,
    )
