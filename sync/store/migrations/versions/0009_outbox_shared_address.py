"""statement outbox: held rows for shared addresses, and their explicit approval

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statement_outbox") as batch:
        batch.add_column(
            sa.Column("shared_address_approved_by", sa.String(length=120), nullable=True)
        )
    op.create_index(
        "ix_outbox_address", "statement_outbox", ["period", sa.text("lower(recipient)")]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_address", table_name="statement_outbox")
    with op.batch_alter_table("statement_outbox") as batch:
        batch.drop_column("shared_address_approved_by")
