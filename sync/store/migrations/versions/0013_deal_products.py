"""deal products and deal splits: the products sold on each deal and the CRM's own splits

Revision ID: 0013_deal_products
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0013_deal_products"
down_revision = "0012"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _record_columns() -> list[sa.Column]:
    when = sync.store.types.UtcDateTime
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("remote_created_at", when(timezone=True), nullable=True),
        sa.Column("remote_updated_at", when(timezone=True), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_deleted_at", when(timezone=True), nullable=True),
        sa.Column("deleted_detected_at", when(timezone=True), nullable=True),
        sa.Column("deleted_by_run_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_seen_at", when(timezone=True), nullable=False),
        sa.Column("synced_at", when(timezone=True), nullable=False),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("change_seq", sa.BigInteger(), nullable=True),
        sa.Column("custom_fields", _json(), nullable=False),
        sa.Column("raw", _json(), nullable=False),
    ]


def _money(name: str) -> sa.Column:
    return sa.Column(name, sync.store.types.DecimalText(length=40), nullable=True)


def _text(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deal_products",
        *_record_columns(),
        _text("deal_id", nullable=False),
        _text("product_id"),
        _text("product_name"),
        _text("product_code"),
        _money("quantity"),
        _money("unit_price"),
        _money("amount"),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_deal_products_remote"),
    )
    op.create_table(
        "deal_splits",
        *_record_columns(),
        _text("deal_id", nullable=False),
        _text("user_id", nullable=False),
        _text("split_type"),
        _money("percent"),
        _money("amount"),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        _text("note"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "remote_id", name="uq_deal_splits_remote"),
    )
    for name in ("deal_products", "deal_splits"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{name}_change_seq"), ["change_seq"])
            batch_op.create_index(batch_op.f(f"ix_{name}_deal_id"), ["deal_id"])


def downgrade() -> None:
    for name in ("deal_splits", "deal_products"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_deal_id"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_change_seq"))
        op.drop_table(name)
