"""digital events: Segment / RudderStack messages, and the identities stitching links to them

Revision ID: 0019_digital_events
Revises: 0018_web_signin_state
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0019_digital_events"
down_revision = "0018_web_signin_state"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _text(name: str, length: int | None = None, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sync.store.types.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("source", 40, nullable=False),
        _text("remote_id", 64, nullable=False),
        _when("remote_created_at"),
        _when("remote_updated_at"),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        _when("remote_deleted_at"),
        _when("deleted_detected_at"),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        _text("content_hash", 32, nullable=False),
        _when("first_seen_at", nullable=False),
        _when("synced_at", nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=True),
        sa.Column("custom_fields", _json(), nullable=False),
        sa.Column("raw", _json(), nullable=False),
        _text("event_type", 16, nullable=False),
        _when("occurred_at"),
        _text("anonymous_id", 100),
        _text("user_id", 100),
        _text("previous_id", 100),
        _text("name"),
        _text("email"),
        _text("phone"),
        _text("url"),
        _text("utm_source"),
        _text("utm_medium"),
        _text("utm_campaign"),
        _text("utm_term"),
        _text("utm_content"),
        _text("channel"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_events_remote"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        for column in ("change_seq", "occurred_at", "anonymous_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_events_{column}"), [column])
    op.create_table(
        "event_links",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("anonymous_id", 100, nullable=False),
        _text("identity_id", 40, nullable=False),
        _text("status", 16, nullable=False),
        _text("evidence", 16, nullable=False),
        _text("message_id", 64, nullable=False),
        _text("member", 160, nullable=False),
        _when("first_at"),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("detail", _json(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("anonymous_id", "identity_id", name="uq_event_links"),
    )
    with op.batch_alter_table("event_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_links_anonymous_id"), ["anonymous_id"])
        batch_op.create_index(batch_op.f("ix_event_links_identity_id"), ["identity_id"])


def downgrade() -> None:
    with op.batch_alter_table("event_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_links_identity_id"))
        batch_op.drop_index(batch_op.f("ix_event_links_anonymous_id"))
    op.drop_table("event_links")
    with op.batch_alter_table("events", schema=None) as batch_op:
        for column in ("user_id", "anonymous_id", "occurred_at", "change_seq"):
            batch_op.drop_index(batch_op.f(f"ix_events_{column}"))
    op.drop_table("events")
