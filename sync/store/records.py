"""Store tables of the common records: one table per record type.

Every table has the same bookkeeping columns (``RecordRow``): unique on
(``source``, ``remote_id``), the CRM's created/updated/deleted times, our own
``first_seen_at``/``synced_at``/``last_run_id``, the ``change_seq`` of the last write
(``sync.store.changes``), custom fields and raw payload as JSON, and a ``content_hash``
that makes an unchanged re-read cost no write. The columns are declared in
``sync/store/core_tables.py``; these models are mapped onto those tables and give each
field's Python type and default. ``tests/unit/test_store_core_tables.py`` checks that each
table has a column for every field of its record type, holding the field's type.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Field

from sync.store.table_model import TableModel

__all__ = [
    "TABLES",
    "AccountRow",
    "ActivityRow",
    "CampaignMemberRow",
    "CaseRow",
    "ContactRow",
    "DealContactRow",
    "DealProductRow",
    "DealRow",
    "DealSplitRow",
    "EventRow",
    "FieldChangeRow",
    "LeadRow",
    "RecordRow",
    "UserRow",
]


class RecordRow(TableModel):
    id: int | None = None
    source: str
    remote_id: str
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    is_deleted: bool = False
    remote_deleted_at: datetime | None = None
    deleted_detected_at: datetime | None = None
    deleted_by_run_id: int | None = None
    content_hash: str
    first_seen_at: datetime
    synced_at: datetime
    last_run_id: int | None = None
    # The store's change number of the last write (sync.store.changes): incremental readers
    # ask "changed after N", which commit order cannot get wrong, unlike synced_at.
    change_seq: int | None = None


class UserRow(RecordRow, table=True):
    __tablename__ = "users"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    is_active: bool = True
    title: str | None = None
    department: str | None = None
    role: str | None = None


class _PersonColumns(RecordRow):
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    source_channel: str | None = None
    source_detail: str | None = None
    owner_id: str | None = None
    merged_into_id: str | None = None


class LeadRow(_PersonColumns, table=True):
    __tablename__ = "leads"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    other_emails: list[str] = Field(default_factory=list)
    merged_ids: list[str] = Field(default_factory=list)
    company: str | None = None
    status: str | None = None
    converted: bool = False
    converted_at: datetime | None = None
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    converted_deal_id: str | None = None


class ContactRow(_PersonColumns, table=True):
    __tablename__ = "contacts"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    other_emails: list[str] = Field(default_factory=list)
    merged_ids: list[str] = Field(default_factory=list)
    account_id: str | None = None
    lifecycle_stage: str | None = None


class AccountRow(RecordRow, table=True):
    __tablename__ = "accounts"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    merged_ids: list[str] = Field(default_factory=list)
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    employees: int | None = None
    annual_revenue: Decimal | None = None
    owner_id: str | None = None
    parent_id: str | None = None
    merged_into_id: str | None = None
    person_contact_id: str | None = None  # a consumer's account: the contact it is


class DealRow(RecordRow, table=True):
    __tablename__ = "deals"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    name: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    stage: str | None = None
    pipeline: str | None = None
    is_closed: bool = False
    is_won: bool = False
    amount: Decimal | None = None
    currency: str | None = None
    close_date: date | None = None
    probability: Decimal | None = None
    source_channel: str | None = None
    source_detail: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    deal_type: str | None = None
    next_step: str | None = None


class DealContactRow(RecordRow, table=True):
    __tablename__ = "deal_contacts"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    deal_id: str
    contact_id: str
    role: str | None = None
    is_primary: bool = False


class ActivityRow(RecordRow, table=True):
    __tablename__ = "activities"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    activity_type: str
    channel: str | None = None
    direction: str | None = None
    owner_id: str | None = None
    occurred_at: datetime | None = None
    subject: str | None = None
    status: str | None = None
    duration_seconds: int | None = None
    outcome: str | None = None
    lead_id: str | None = None
    contact_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    case_id: str | None = None


class CaseRow(RecordRow, table=True):
    __tablename__ = "cases"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    number: str | None = None
    subject: str | None = None
    status: str | None = None
    is_closed: bool = False
    origin_channel: str | None = None
    origin_detail: str | None = None
    priority: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    deal_id: str | None = None
    owner_id: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None


class CampaignMemberRow(RecordRow, table=True):
    __tablename__ = "campaign_members"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    campaign_id: str
    campaign_name: str | None = None
    lead_id: str | None = None
    contact_id: str | None = None
    status: str | None = None
    responded: bool = False
    first_responded_at: date | None = None


class DealProductRow(RecordRow, table=True):
    __tablename__ = "deal_products"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    deal_id: str
    product_id: str | None = None
    product_name: str | None = None
    product_code: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None


class DealSplitRow(RecordRow, table=True):
    __tablename__ = "deal_splits"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    deal_id: str
    user_id: str
    split_type: str | None = None
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    note: str | None = None


class EventRow(RecordRow, table=True):
    """A digital touch (``connectors.core.records.DigitalEvent``); ``remote_id`` is its
    ``messageId``, so a replayed event is the same row."""

    __tablename__ = "events"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    event_type: str
    occurred_at: datetime | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    previous_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    channel: str | None = None


class FieldChangeRow(RecordRow, table=True):
    """One change of a tracked field, from the CRM's own history (``FieldChange``)."""

    __tablename__ = "field_changes"
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)
    record_type: str
    record_id: str
    field: str
    remote_field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    new_state: str | None = None
    changed_at: datetime | None = None
    changed_by: str | None = None


TABLES: dict[str, type[RecordRow]] = {
    "user": UserRow,
    "lead": LeadRow,
    "contact": ContactRow,
    "account": AccountRow,
    "deal": DealRow,
    "deal_contact": DealContactRow,
    "activity": ActivityRow,
    "case": CaseRow,
    "campaign_member": CampaignMemberRow,
    "deal_product": DealProductRow,
    "deal_split": DealSplitRow,
    "event": EventRow,
    "field_change": FieldChangeRow,
}
