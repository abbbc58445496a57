"""compensation: plan runs, results, lines, closed periods, manual adjustments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sync.store.types.UtcDateTime(timezone=True), nullable=nullable)


def _money(name: str) -> sa.Column:
    return sa.Column(name, sync.store.types.DecimalText(length=40), nullable=False)


def upgrade() -> None:
    op.create_table(
        "compensation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("result_hash", sa.String(length=64), nullable=False),
        sa.Column("plan_versions", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        _when("started_at"),
        _when("finished_at"),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.String(), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compensation_runs_period", "compensation_runs", ["period"])
    op.create_table(
        "compensation_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("employee", sa.String(length=120), nullable=False),
        sa.Column("plan", sa.String(length=80), nullable=False),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("total"),
        sa.Column("result_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "employee", name="uq_compensation_results"),
    )
    op.create_index("ix_compensation_results_run_id", "compensation_results", ["run_id"])
    op.create_index("ix_compensation_results_employee", "compensation_results", ["employee"])
    op.create_table(
        "compensation_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("employee", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("component", sa.String(length=80), nullable=False),
        sa.Column("deal", sa.String(length=160), nullable=True),
        sa.Column("pool", sa.String(length=40), nullable=True),
        sa.Column("slot", sa.String(length=80), nullable=True),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("line", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compensation_lines_run_id", "compensation_lines", ["run_id"])
    op.create_index("ix_compensation_lines_deal", "compensation_lines", ["run_id", "deal"])
    op.create_table(
        "compensation_periods",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        _when("closed_at"),
        sa.Column("closed_by", sa.String(length=120), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )
    op.create_table(
        "compensation_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        _money("amount"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("entered_by", sa.String(length=120), nullable=False),
        _when("entered_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_compensation_adjustments_employee", "compensation_adjustments", ["employee"]
    )


def downgrade() -> None:
    op.drop_table("compensation_adjustments")
    op.drop_table("compensation_periods")
    op.drop_table("compensation_lines")
    op.drop_table("compensation_results")
    op.drop_table("compensation_runs")
