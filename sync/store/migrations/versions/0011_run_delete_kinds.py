"""run delete kinds: sync_run_streams keeps deletes by kind and restores

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Counts each stream run gains; runs recorded before this revision did not keep them, so
# their rows read 0 (their total ``deleted`` stays as it was).
NEW_COLUMNS = ("deleted_reported", "deleted_merged", "deleted_missing", "restored")


def upgrade() -> None:
    with op.batch_alter_table("sync_run_streams", schema=None) as batch_op:
        for column in NEW_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sync_run_streams", schema=None) as batch_op:
        for column in reversed(NEW_COLUMNS):
            batch_op.drop_column(column)
