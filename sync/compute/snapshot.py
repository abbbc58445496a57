"""One read of the store for a plan run: the rows evidence is built from, as plain dicts.

Only live rows (``is_deleted`` false) and only the columns evidence needs are read, each
table once, in a stable order. Users are read deleted or not: someone who left (an
archived HubSpot owner) still did the acts on old records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from sync.store.records import (
    AccountRow,
    ActivityRow,
    CampaignMemberRow,
    CaseRow,
    ContactRow,
    DealContactRow,
    DealProductRow,
    DealRow,
    DealSplitRow,
    LeadRow,
    UserRow,
)

__all__ = ["Row", "StoreSnapshot", "load_store_snapshot"]

Row = dict[str, Any]

_COLUMNS: dict[str, tuple[type, tuple[str, ...]]] = {
    "users": (
        UserRow,
        (
            "name",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "title",
            "department",
            "role",
            "raw",
        ),
    ),
    "leads": (
        LeadRow,
        (
            "owner_id",
            "source_channel",
            "converted",
            "converted_at",
            "converted_contact_id",
            "converted_account_id",
            "converted_deal_id",
            "remote_created_at",
        ),
    ),
    "contacts": (ContactRow, ("owner_id", "source_channel", "account_id", "remote_created_at")),
    "accounts": (AccountRow, ("owner_id", "person_contact_id")),
    "deals": (
        DealRow,
        (
            "name",
            "account_id",
            "contact_id",
            "stage",
            "is_closed",
            "is_won",
            "amount",
            "currency",
            "close_date",
            "owner_id",
            "source_channel",
            "remote_created_at",
            "remote_updated_at",
            "raw",
        ),
    ),
    "deal_products": (DealProductRow, ("deal_id", "product_name")),
    "deal_splits": (DealSplitRow, ("deal_id", "user_id", "split_type", "percent")),
    "deal_contacts": (
        DealContactRow,
        ("deal_id", "contact_id", "role", "remote_created_at", "raw"),
    ),
    "activities": (
        ActivityRow,
        (
            "activity_type",
            "channel",
            "direction",
            "owner_id",
            "occurred_at",
            "subject",
            "lead_id",
            "contact_id",
            "account_id",
            "deal_id",
            "remote_created_at",
        ),
    ),
    "cases": (
        CaseRow,
        (
            "owner_id",
            "contact_id",
            "account_id",
            "deal_id",
            "opened_at",
            "origin_channel",
            "number",
            "subject",
        ),
    ),
    "campaign_members": (
        CampaignMemberRow,
        (
            "campaign_id",
            "campaign_name",
            "lead_id",
            "contact_id",
            "first_responded_at",
            "remote_created_at",
            "raw",
        ),
    ),
}


@dataclass
class StoreSnapshot:
    """Live rows per store table (each with ``source`` and ``remote_id``)."""

    tables: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, table: str) -> list[Row]:
        """The rows of ``table`` in (source, remote_id) order."""
        return self.tables.get(table, [])


def load_store_snapshot(engine: Engine) -> StoreSnapshot:
    """Read every table evidence needs, once."""
    snapshot = StoreSnapshot()
    with engine.connect() as conn:
        for name, (model, columns) in _COLUMNS.items():
            table = model.__table__  # type: ignore[attr-defined]
            cols = [table.c.source, table.c.remote_id, *(table.c[c] for c in columns)]
            query = select(*cols).order_by(table.c.source, table.c.remote_id)
            if name == "users":
                query = query.add_columns(table.c.is_deleted)
            else:
                query = query.where(table.c.is_deleted.is_(False))
            result = conn.execute(query)
            keys = list(result.keys())
            snapshot.tables[name] = [dict(zip(keys, row, strict=True)) for row in result]
    return snapshot
