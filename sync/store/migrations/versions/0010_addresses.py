"""addresses: state on leads and contacts; street, state and postal code on accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Columns each table gains; existing rows keep them empty until their record is read again
# (a full sync fills them at once: an incremental one only re-reads changed records).
NEW_COLUMNS = {
    "leads": ("state",),
    "contacts": ("state",),
    "accounts": ("street", "state", "postal_code"),
}


def upgrade() -> None:
    for name, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column in columns:
                text = sqlmodel.sql.sqltypes.AutoString()
                batch_op.add_column(sa.Column(column, text, nullable=True))


def downgrade() -> None:
    for name, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
