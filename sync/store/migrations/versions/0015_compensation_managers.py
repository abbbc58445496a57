"""compensation managers: each employee's manager as observed, one row per change

Revision ID: 0015_compensation_managers
Revises: 0014_outcomes_next_steps
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync.store.types

revision = "0015_compensation_managers"
down_revision = "0014_outcomes_next_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compensation_managers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("manager", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("observed_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("employee", "since", name="uq_compensation_managers"),
    )
    op.create_index("ix_compensation_managers_employee", "compensation_managers", ["employee"])


def downgrade() -> None:
    op.drop_index("ix_compensation_managers_employee", table_name="compensation_managers")
    op.drop_table("compensation_managers")
