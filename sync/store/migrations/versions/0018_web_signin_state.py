"""web sign-in state: used one-time links and recent sign-in e-mail requests (digests only)

Revision ID: 0018_web_signin_state
Revises: 0017_person_accounts_rates
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import sync.store.types

revision = "0018_web_signin_state"
down_revision = "0017_person_accounts_rates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_used_links",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_web_used_links_expires_at", "web_used_links", ["expires_at"])
    op.create_table(
        "web_signin_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sync.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_signin_requests_address", "web_signin_requests", ["address"])
    op.create_index("ix_web_signin_requests_client", "web_signin_requests", ["client"])
    op.create_index("ix_web_signin_requests_at", "web_signin_requests", ["at"])


def downgrade() -> None:
    op.drop_index("ix_web_signin_requests_at", table_name="web_signin_requests")
    op.drop_index("ix_web_signin_requests_client", table_name="web_signin_requests")
    op.drop_index("ix_web_signin_requests_address", table_name="web_signin_requests")
    op.drop_table("web_signin_requests")
    op.drop_index("ix_web_used_links_expires_at", table_name="web_used_links")
    op.drop_table("web_used_links")
