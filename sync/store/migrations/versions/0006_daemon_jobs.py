"""daemon job table

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, sync.store.types.UtcDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "daemon_jobs",
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("schedule", sa.String(length=120), nullable=False),
        _when("next_run_at"),
        _when("last_started_at"),
        _when("last_finished_at"),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        _when("backoff_until"),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        _when("heartbeat_at"),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("job"),
    )


def downgrade() -> None:
    op.drop_table("daemon_jobs")
