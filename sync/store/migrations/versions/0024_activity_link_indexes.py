"""indexes on the activities' link columns: which activities link to given records

An incremental HubSpot run asks the store which activities link to the records archived
since its cursor (``sync.store.linked``); without these indexes each question scanned the
activities table. The source is the second column: with the link column alone SQLite
preferred the (source, remote_id) key and read every row of the source.

Revision ID: 0024_activity_link_indexes
Revises: 0023_dq_engagement_decimals
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0024_activity_link_indexes"
down_revision = "0023_dq_engagement_decimals"
branch_labels = None
depends_on = None

_COLUMNS = ("contact_id", "account_id", "deal_id", "case_id")


def upgrade() -> None:
    for column in _COLUMNS:
        op.create_index(f"ix_activities_{column}", "activities", [column, "source"])


def downgrade() -> None:
    for column in _COLUMNS:
        op.drop_index(f"ix_activities_{column}", table_name="activities")
