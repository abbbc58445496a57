"""incremental identity stitching after a change of the people: the evidence it was made with

Revision ID: 0022_event_stitch_people
Revises: 0021_usage_decimals
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0022_event_stitch_people"
down_revision = "0021_usage_decimals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_stitch_people",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("identity_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("event_stitch_people")
