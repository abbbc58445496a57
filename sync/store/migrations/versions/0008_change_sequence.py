"""change sequence: store_changes counter, change_seq on every record table and reconcile run

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "users",
    "leads",
    "contacts",
    "accounts",
    "deals",
    "deal_contacts",
    "activities",
    "cases",
    "campaign_members",
)


def upgrade() -> None:
    op.create_table(
        "store_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_change", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for name in RECORD_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{name}_change_seq"), ["change_seq"])
    with op.batch_alter_table("reconcile_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))

    # Existing rows: change 1 for what the last reconcile run had already seen (synced up
    # to its time watermark), change 2 for the rest, so the next incremental run still
    # takes every record synced after it.
    bind = op.get_bind()
    when = sync.store.types.UtcDateTime(timezone=True)
    runs = sa.table(
        "reconcile_runs",
        sa.column("finished_at", when),
        sa.column("watermark", when),
        sa.column("change_seq", sa.BigInteger()),
    )
    finished = runs.c.finished_at.is_not(None)
    mark = bind.execute(sa.select(sa.func.max(runs.c.watermark)).where(finished)).scalar()
    for name in RECORD_TABLES:
        table = sa.table(name, sa.column("synced_at", when), sa.column("change_seq"))
        seen = table.c.synced_at <= mark if mark is not None else sa.false()
        bind.execute(sa.update(table).values(change_seq=sa.case((seen, 1), else_=2)))
    if mark is not None:
        bind.execute(sa.update(runs).where(finished).values(change_seq=1))
    counter = sa.table("store_changes", sa.column("id"), sa.column("last_change"))
    bind.execute(sa.insert(counter).values(id=1, last_change=1 if mark is None else 2))


def downgrade() -> None:
    with op.batch_alter_table("reconcile_runs", schema=None) as batch_op:
        batch_op.drop_column("change_seq")
    for name in RECORD_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_change_seq"))
            batch_op.drop_column("change_seq")
    op.drop_table("store_changes")
