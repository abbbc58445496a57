"""People for the matcher's unit tests, built as the loader leaves them (normalised)."""

from __future__ import annotations

from typing import Any

from sync.reconcile.blocking import RARE_VALUE_KINDS, block_keys
from sync.reconcile.entities import Entity


def person(key: str, **values: Any) -> Entity:
    """The person of record ``key`` (``source:table:remote id``) with the given fields."""
    source, table, remote_id = key.split(":", 2)
    return Entity(key=key, kind="person", source=source, table=table, remote_id=remote_id, **values)


def lead(n: int, **values: Any) -> Entity:
    """Salesforce lead ``n`` (key ``salesforce:leads:0007``) with the given fields."""
    return person(f"salesforce:leads:{n:04d}", **values)


def scoped_keys(a: Entity, b: Entity) -> set[str]:
    """The blocking keys two records share, past the rare-value keys (a name or an
    e-mail's local part wherever it is: ``RARE_VALUE_KINDS``): what a place or an
    organisation scopes."""
    shared = set(block_keys(a)) & set(block_keys(b))
    return {k for k in shared if k.partition(":")[0] not in RARE_VALUE_KINDS}
