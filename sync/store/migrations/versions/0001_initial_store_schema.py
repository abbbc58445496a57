"""initial store schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "merged_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("domain", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("industry", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sync.store.types.DecimalText(length=40), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("merged_into_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_accounts_remote"),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("activity_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("occurred_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("lead_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("deal_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_activities_remote"),
    )
    op.create_table(
        "campaign_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("campaign_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lead_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("first_responded_at", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_campaign_members_remote"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("origin_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("origin_detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("deal_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opened_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_cases_remote"),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("merged_into_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "other_emails",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "merged_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lifecycle_stage", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_contacts_remote"),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_email"), ["email"], unique=False)

    op.create_table(
        "deal_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("deal_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_deal_contacts_remote"),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("pipeline", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.Column("amount", sync.store.types.DecimalText(length=40), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("probability", sync.store.types.DecimalText(length=40), nullable=True),
        sa.Column("source_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("deal_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_deals_remote"),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("merged_into_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "other_emails",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "merged_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("converted", sa.Boolean(), nullable=False),
        sa.Column("converted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("converted_contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("converted_account_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("converted_deal_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_leads_remote"),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_email"), ["email"], unique=False)

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("record_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "stream", "record_key", name="uq_quarantine"),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_source"), ["source"], unique=False)

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("started_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_runs_source"), ["source"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column(
            "last_full_id_check_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("source", "stream"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remote_updated_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "deleted_detected_at", sync.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_users_remote"),
    )
    op.create_table(
        "sync_run_streams",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "stream"),
    )


def downgrade() -> None:

    op.drop_table("sync_run_streams")
    op.drop_table("users")
    op.drop_table("sync_state")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_source"))

    op.drop_table("sync_runs")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_source"))

    op.drop_table("quarantine")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_email"))

    op.drop_table("leads")
    op.drop_table("deals")
    op.drop_table("deal_contacts")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_email"))

    op.drop_table("contacts")
    op.drop_table("cases")
    op.drop_table("campaign_members")
    op.drop_table("activities")
    op.drop_table("accounts")
