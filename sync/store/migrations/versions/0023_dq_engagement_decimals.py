"""record DQ and account engagement scores as exact decimal text instead of REAL

Each stored float becomes the figure write-back published from it before: the score rounded
to 1 place (Python's ``round`` on the float, then its shortest text, as the write-back's
reader did). Downgrade turns the text back into REAL.

Revision ID: 0023_dq_engagement_decimals
Revises: 0022_event_stitch_people
Create Date: 2026-12-05
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0023_dq_engagement_decimals"
down_revision = "0022_event_stitch_people"
branch_labels = None
depends_on = None

_TABLES = ("record_dq_scores", "account_engagement")  # each with a NOT NULL ``score``


def _text(value: float) -> str:
    return str(Decimal(repr(round(float(value), 1))))


def upgrade() -> None:
    bind = op.get_bind()
    for name in _TABLES:
        table = sa.table(name, sa.column("id", sa.Integer()), sa.column("score", sa.Float()))
        rows = bind.execute(sa.select(table.c.id, table.c.score)).all()
        with op.batch_alter_table(name) as batch:
            batch.alter_column(
                "score",
                existing_type=sa.Float(),
                type_=sync.store.types.DecimalText(length=40),
                existing_nullable=False,
                postgresql_using="score::text",
            )
        text = sa.table(name, sa.column("id", sa.Integer()), sa.column("score", sa.String()))
        if rows:
            bind.execute(
                sa.update(text).where(text.c.id == sa.bindparam("key")),
                [{"key": key, "score": _text(value)} for key, value in rows],
            )


def downgrade() -> None:
    for name in _TABLES:
        with op.batch_alter_table(name) as batch:
            batch.alter_column(
                "score",
                existing_type=sync.store.types.DecimalText(length=40),
                type_=sa.Float(),
                existing_nullable=False,
                postgresql_using="score::double precision",
            )
