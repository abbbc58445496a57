"""call outcomes and next steps: what a call achieved and what the owner does next on a deal

Revision ID: 0014_outcomes_next_steps
Revises: 0013_deal_products
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0014_outcomes_next_steps"
down_revision = "0013_deal_products"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("deals") as batch:
        batch.add_column(sa.Column("next_step", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deals") as batch:
        batch.drop_column("next_step")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("outcome")
