"""Store tables of the common records: one table per record type.

Every table has the same bookkeeping columns (``RecordRow``): unique on
(``source``, ``remote_id``), the CRM's created/updated/deleted times, our own
``first_seen_at``/``synced_at``/``last_run_id``, the ``change_seq`` of the last write
(``sync.store.changes``), custom fields and raw payload as JSON, and a ``content_hash``
that makes an unchanged re-read cost no write. A unit test checks that each
table has a column for every field of its record type.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import DecimalText, JsonDoc, UtcDateTime

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


def _when(index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, index=index)


def _money() -> Any:
    return Field(default=None, sa_type=DecimalText)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JsonDoc, nullable=False))


class RecordRow(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    remote_id: str = Field(max_length=64)
    remote_created_at: datetime | None = _when()
    remote_updated_at: datetime | None = _when()
    is_deleted: bool = False
    remote_deleted_at: datetime | None = _when()
    deleted_detected_at: datetime | None = _when()
    deleted_by_run_id: int | None = None
    content_hash: str = Field(max_length=32)
    first_seen_at: datetime = Field(sa_type=UtcDateTime)
    synced_at: datetime = Field(sa_type=UtcDateTime)
    last_run_id: int | None = None
    # The store's change number of the last write (sync.store.changes): incremental readers
    # ask "changed after N", which commit order cannot get wrong, unlike synced_at.
    change_seq: int | None = Field(default=None, sa_type=BigInteger, index=True)


def _record_columns() -> dict[str, Any]:
    # JSON columns must be fresh Column objects per table.
    return {
        "custom_fields": Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False)),
        "raw": Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False)),
    }


class UserRow(RecordRow, table=True):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_users_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
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
    email: str | None = Field(default=None, index=True)
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
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_leads_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    other_emails: list[str] = _json_list()
    merged_ids: list[str] = _json_list()
    company: str | None = None
    status: str | None = None
    converted: bool = False
    converted_at: datetime | None = _when()
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    converted_deal_id: str | None = None


class ContactRow(_PersonColumns, table=True):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_contacts_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    other_emails: list[str] = _json_list()
    merged_ids: list[str] = _json_list()
    account_id: str | None = None
    lifecycle_stage: str | None = None


class AccountRow(RecordRow, table=True):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_accounts_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    merged_ids: list[str] = _json_list()
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
    annual_revenue: Decimal | None = _money()
    owner_id: str | None = None
    parent_id: str | None = None
    merged_into_id: str | None = None
    person_contact_id: str | None = None  # a consumer's account: the contact it is


class DealRow(RecordRow, table=True):
    __tablename__ = "deals"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_deals_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    name: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    stage: str | None = None
    pipeline: str | None = None
    is_closed: bool = False
    is_won: bool = False
    amount: Decimal | None = _money()
    currency: str | None = Field(default=None, max_length=3)
    close_date: date | None = None
    probability: Decimal | None = _money()
    source_channel: str | None = None
    source_detail: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    deal_type: str | None = None
    next_step: str | None = None


class DealContactRow(RecordRow, table=True):
    __tablename__ = "deal_contacts"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_deal_contacts_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    deal_id: str
    contact_id: str
    role: str | None = None
    is_primary: bool = False


class ActivityRow(RecordRow, table=True):
    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_activities_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    activity_type: str = Field(max_length=16)
    channel: str | None = None
    direction: str | None = None
    owner_id: str | None = None
    occurred_at: datetime | None = _when()
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
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_cases_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
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
    opened_at: datetime | None = _when()
    closed_at: datetime | None = _when()


class CampaignMemberRow(RecordRow, table=True):
    __tablename__ = "campaign_members"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_campaign_members_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    campaign_id: str
    campaign_name: str | None = None
    lead_id: str | None = None
    contact_id: str | None = None
    status: str | None = None
    responded: bool = False
    first_responded_at: date | None = None


class DealProductRow(RecordRow, table=True):
    __tablename__ = "deal_products"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_deal_products_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    deal_id: str = Field(index=True)
    product_id: str | None = None
    product_name: str | None = None
    product_code: str | None = None
    quantity: Decimal | None = _money()
    unit_price: Decimal | None = _money()
    amount: Decimal | None = _money()
    currency: str | None = Field(default=None, max_length=3)


class DealSplitRow(RecordRow, table=True):
    __tablename__ = "deal_splits"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_deal_splits_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    deal_id: str = Field(index=True)
    user_id: str
    split_type: str | None = None
    percent: Decimal | None = _money()
    amount: Decimal | None = _money()
    currency: str | None = Field(default=None, max_length=3)
    note: str | None = None


class EventRow(RecordRow, table=True):
    """A digital touch (``connectors.core.records.DigitalEvent``); ``remote_id`` is its
    ``messageId``, so a replayed event is the same row."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_events_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    event_type: str = Field(max_length=16)
    occurred_at: datetime | None = _when(index=True)
    anonymous_id: str | None = Field(default=None, max_length=100, index=True)
    user_id: str | None = Field(default=None, max_length=100, index=True)
    previous_id: str | None = Field(default=None, max_length=100, index=True)
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
    __table_args__ = (UniqueConstraint("source", "remote_id", name="uq_field_changes_remote"),)
    custom_fields: dict[str, Any] = _record_columns()["custom_fields"]
    raw: dict[str, Any] = _record_columns()["raw"]
    record_type: str = Field(max_length=20)
    record_id: str = Field(index=True)
    field: str = Field(max_length=40)
    remote_field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    new_state: str | None = Field(default=None, max_length=10)
    changed_at: datetime | None = _when(index=True)
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
