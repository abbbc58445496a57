"""write-back: published values, last written values, push runs and results

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sync.store.types.UtcDateTime(timezone=True), nullable=nullable)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sync.store.types.JsonDoc, nullable=False)


def upgrade() -> None:
    op.create_table(
        "push_published",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=40), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "object", "remote_id", "key", name="uq_push_published"),
    )
    op.create_index("ix_push_published_step", "push_published", ["step"])
    op.create_table(
        "push_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=40), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=True),
        _when("pushed_at", nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "object", "remote_id", "field", name="uq_push_state"),
    )
    op.create_table(
        "push_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("api_name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "object", "field", name="uq_push_fields"),
    )
    op.create_table(
        "push_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        _when("started_at", nullable=False),
        _when("finished_at"),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _json("summary"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "push_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=40), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        _json("detail"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_push_results_run_id", "push_results", ["run_id"])
    op.create_index("ix_push_results_record", "push_results", ["source", "object", "remote_id"])


def downgrade() -> None:
    op.drop_index("ix_push_results_record", table_name="push_results")
    op.drop_index("ix_push_results_run_id", table_name="push_results")
    op.drop_table("push_results")
    op.drop_table("push_runs")
    op.drop_table("push_fields")
    op.drop_table("push_state")
    op.drop_index("ix_push_published_step", table_name="push_published")
    op.drop_table("push_published")
