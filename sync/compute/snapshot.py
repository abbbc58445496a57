"""One read of the store for a plan run: the rows evidence is built from, as plain dicts.

Only the columns evidence needs are read, each table once, as the store view reads live
rows (``sync.store.view.live_rows``: in a stable order, users deleted or not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from sync.store.view.live_rows import Row
from sync.store.view.reads import StoreReads, read_live_rows

__all__ = ["Row", "StoreSnapshot", "load_store_snapshot"]

# table -> the columns evidence needs, after ``source`` and ``remote_id``
_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": (
        "name", "first_name", "last_name", "email", "is_active", "title", "department",
        "role", "raw",
    ),
    "leads": (
        "owner_id", "source_channel", "converted", "converted_at", "converted_contact_id",
        "converted_account_id", "converted_deal_id", "remote_created_at",
    ),
    "contacts": ("owner_id", "source_channel", "account_id", "remote_created_at"),
    "accounts": ("owner_id", "person_contact_id"),
    "deals": (
        "name", "account_id", "contact_id", "stage", "is_closed", "is_won", "amount",
        "currency", "close_date", "owner_id", "source_channel", "remote_created_at",
        "remote_updated_at", "raw",
    ),
    "deal_products": ("deal_id", "product_name"),
    "deal_splits": ("deal_id", "user_id", "split_type", "percent"),
    "deal_contacts": ("deal_id", "contact_id", "role", "remote_created_at", "raw"),
    "activities": (
        "activity_type", "channel", "direction", "owner_id", "occurred_at", "subject",
        "lead_id", "contact_id", "account_id", "deal_id", "remote_created_at",
    ),
    "cases": (
        "owner_id", "contact_id", "account_id", "deal_id", "opened_at", "origin_channel",
        "number", "subject",
    ),
    "campaign_members": (
        "campaign_id", "campaign_name", "lead_id", "contact_id", "first_responded_at",
        "remote_created_at", "raw",
    ),
}  # fmt: skip


@dataclass
class StoreSnapshot:
    """Live rows per store table (each with ``source`` and ``remote_id``)."""

    tables: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, table: str) -> list[Row]:
        """The rows of ``table`` in (source, remote_id) order."""
        return self.tables.get(table, [])


def load_store_snapshot(engine: Engine, reads: StoreReads | None = None) -> StoreSnapshot:
    """Read every table evidence needs, once (through ``reads``: the rows a run's steps
    share)."""
    snapshot = StoreSnapshot()
    with engine.connect() as conn:
        for name, columns in _COLUMNS.items():
            wanted = ("source", "remote_id", *columns)
            snapshot.tables[name] = read_live_rows(conn, name, wanted, reads)
    return snapshot
