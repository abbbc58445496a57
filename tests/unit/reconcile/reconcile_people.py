"""People for the matcher's unit tests, built as the loader leaves them (normalised)."""

from __future__ import annotations

from typing import Any

from sync.reconcile.entities import Entity


def person(key: str, **values: Any) -> Entity:
    """The person of record ``key`` (``source:table:remote id``) with the given fields."""
    source, table, remote_id = key.split(":", 2)
    return Entity(key=key, kind="person", source=source, table=table, remote_id=remote_id, **values)


def lead(n: int, **values: Any) -> Entity:
    """Salesforce lead ``n`` (key ``salesforce:leads:0007``) with the given fields."""
    return person(f"salesforce:leads:{n:04d}", **values)
