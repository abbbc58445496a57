"""statement outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sync.store.types.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "statement_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("employee_id", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        _when("queued_at", nullable=False),
        _when("approved_at"),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        _when("claimed_at"),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        _when("handed_over_at"),
        _when("sent_at"),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("smtp_response", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", "version", "recipient", name="uq_outbox_statement"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
    )
    op.create_index("ix_outbox_state", "statement_outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_period", "statement_outbox", ["period", "employee_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_period", table_name="statement_outbox")
    op.drop_index("ix_outbox_state", table_name="statement_outbox")
    op.drop_table("statement_outbox")
