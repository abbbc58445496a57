"""field changes: the CRMs' own history of tracked fields (stage, amount, close date, owner)

Revision ID: 0016_field_changes
Revises: 0015_compensation_managers
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0016_field_changes"
down_revision = "0015_compensation_managers"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _record_columns() -> list[sa.Column]:
    when = sync.store.types.UtcDateTime
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", when(timezone=True), nullable=True),
        sa.Column("remote_updated_at", when(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", when(timezone=True), nullable=True),
        sa.Column("deleted_detected_at", when(timezone=True), nullable=True),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", when(timezone=True), nullable=False),
        sa.Column("synced_at", when(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=True),
        sa.Column("custom_fields", _json(), nullable=False),
        sa.Column("raw", _json(), nullable=False),
    ]


def _text(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "field_changes",
        *_record_columns(),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        _text("record_id", nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        _text("remote_field"),
        _text("old_value"),
        _text("new_value"),
        sa.Column("new_state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("changed_at", sync.store.types.UtcDateTime(timezone=True), nullable=True),
        _text("changed_by"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_field_changes_remote"),
    )
    with op.batch_alter_table("field_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_changes_change_seq"), ["change_seq"])
        batch_op.create_index(batch_op.f("ix_field_changes_record_id"), ["record_id"])
        batch_op.create_index(batch_op.f("ix_field_changes_changed_at"), ["changed_at"])


def downgrade() -> None:
    with op.batch_alter_table("field_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_changes_changed_at"))
        batch_op.drop_index(batch_op.f("ix_field_changes_record_id"))
        batch_op.drop_index(batch_op.f("ix_field_changes_change_seq"))
    op.drop_table("field_changes")
