"""reconciliation: identities, members, pairs, decisions, runs, blocking keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when() -> sa.types.TypeEngine:
    return sync.store.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("identity_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("golden", _json(), nullable=False),
        sa.Column("provenance", _json(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("identity_id"),
    )
    op.create_index("ix_identities_kind", "identities", ["kind"])
    op.create_table(
        "identity_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("table_name", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "table_name", "remote_id", name="uq_identity_members_record"),
    )
    op.create_index("ix_identity_members_identity_id", "identity_members", ["identity_id"])
    op.create_table(
        "reconcile_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("a_key", sa.String(length=160), nullable=False),
        sa.Column("b_key", sa.String(length=160), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", _json(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("a_key", "b_key", name="uq_reconcile_pairs"),
    )
    op.create_index("ix_reconcile_pairs_a_key", "reconcile_pairs", ["a_key"])
    op.create_index("ix_reconcile_pairs_b_key", "reconcile_pairs", ["b_key"])
    op.create_index("ix_reconcile_pairs_status", "reconcile_pairs", ["status"])
    op.create_table(
        "reconcile_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("a_key", sa.String(length=160), nullable=False),
        sa.Column("b_key", sa.String(length=160), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("decided_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("a_key", "b_key", name="uq_reconcile_decisions"),
    )
    op.create_table(
        "reconcile_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.Column("watermark", _when(), nullable=True),
        sa.Column("stats", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reconcile_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block_key", sa.String(length=200), nullable=False),
        sa.Column("record_key", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reconcile_keys_block_key", "reconcile_keys", ["block_key"])
    op.create_index("ix_reconcile_keys_record_key", "reconcile_keys", ["record_key"])


def downgrade() -> None:
    op.drop_table("reconcile_keys")
    op.drop_table("reconcile_runs")
    op.drop_table("reconcile_decisions")
    op.drop_index("ix_reconcile_pairs_status", table_name="reconcile_pairs")
    op.drop_index("ix_reconcile_pairs_b_key", table_name="reconcile_pairs")
    op.drop_index("ix_reconcile_pairs_a_key", table_name="reconcile_pairs")
    op.drop_table("reconcile_pairs")
    op.drop_index("ix_identity_members_identity_id", table_name="identity_members")
    op.drop_table("identity_members")
    op.drop_index("ix_identities_kind", table_name="identities")
    op.drop_table("identities")
