"""audit: runs, findings, usage scores and components, record DQ, account engagement

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import sync.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when() -> sa.types.TypeEngine:
    return sync.store.types.UtcDateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "audit_runs",
        _id(),
        sa.Column("as_of", _when(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("identities_used", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_audit_runs_as_of", "audit_runs", ["as_of"])
    op.create_table(
        "audit_findings",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=40), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("employee", sa.String(length=120), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("link", sa.String(), nullable=False),
    )
    for column in ("run_id", "rule", "employee"):
        op.create_index(f"ix_audit_findings_{column}", "audit_findings", [column])
    op.create_table(
        "usage_scores",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("as_of", _when(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("team", sa.String(length=80), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("users", _json(), nullable=False),
    )
    op.create_index("ix_usage_scores_run_id", "usage_scores", ["run_id"])
    op.create_index("ix_usage_scores_subject", "usage_scores", ["subject"])
    op.create_table(
        "usage_components",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("component", sa.String(length=40), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
    )
    op.create_index("ix_usage_components_run_id", "usage_components", ["run_id"])
    op.create_index("ix_usage_components_subject", "usage_components", ["subject"])
    op.create_table(
        "record_dq_scores",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("table_name", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("failed", _json(), nullable=False),
    )
    op.create_index("ix_record_dq_scores_run_id", "record_dq_scores", ["run_id"])
    op.create_index("ix_record_dq_scores_remote_id", "record_dq_scores", ["remote_id"])
    op.create_table(
        "account_engagement",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("last_touch_at", _when(), nullable=True),
    )
    op.create_index("ix_account_engagement_run_id", "account_engagement", ["run_id"])
    op.create_index("ix_account_engagement_account", "account_engagement", ["account"])


def downgrade() -> None:
    for table in (
        "account_engagement",
        "record_dq_scores",
        "usage_components",
        "usage_scores",
        "audit_findings",
        "audit_runs",
    ):
        op.drop_table(table)
