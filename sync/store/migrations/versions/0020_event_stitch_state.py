"""incremental identity stitching: where stitching stands, and aliases found by previousId

Revision ID: 0020_event_stitch_state
Revises: 0019_digital_events
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync.store.types

revision = "0020_event_stitch_state"
down_revision = "0019_digital_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_stitch_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("people_digest", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("stitched_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_previous_id"), ["previous_id"])


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_previous_id"))
    op.drop_table("event_stitch_state")
