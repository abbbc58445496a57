"""person accounts: the contact a consumer's account is (Salesforce person accounts)

Revision ID: 0016_person_accounts
Revises: 0015_compensation_managers
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0016_person_accounts"
down_revision = "0015_compensation_managers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("person_contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("person_contact_id")
