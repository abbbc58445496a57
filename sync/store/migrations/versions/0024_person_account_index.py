"""index contacts and leads by the account they belong to

An incremental reconcile run re-resolves the people of the accounts changed since the last
run (a renamed account changes its contacts' company, hence their block keys and scores):
these indexes find them without reading every contact.

Revision ID: 0024_person_account_index
Revises: 0023_dq_engagement_decimals
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0024_person_account_index"
down_revision = "0023_dq_engagement_decimals"
branch_labels = None
depends_on = None

_INDEXES = (
    ("contacts", "ix_contacts_source_account_id", ["source", "account_id"]),
    ("leads", "ix_leads_source_converted_account_id", ["source", "converted_account_id"]),
)


def upgrade() -> None:
    for table, name, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in _INDEXES:
        op.drop_index(name, table_name=table)
