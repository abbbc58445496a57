"""person accounts and CRM exchange rates: the contact a consumer's account is, and the
dated rates each source's CRM keeps

Revision ID: 0017_person_accounts_rates
Revises: 0016_field_changes
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync.store.types

revision = "0017_person_accounts_rates"
down_revision = "0016_field_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("person_contact_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("rate", sync.store.types.DecimalText(), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("read_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "base", "quote", "start", name="uq_exchange_rates"),
    )
    op.create_index("ix_exchange_rates_source", "exchange_rates", ["source"])


def downgrade() -> None:
    op.drop_index("ix_exchange_rates_source", table_name="exchange_rates")
    op.drop_table("exchange_rates")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("person_contact_id")
