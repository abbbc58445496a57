"""usage scores, component values and weights as exact decimal text instead of REAL

Each stored float becomes the figure the plans and statements read from it before: a score
rounded to 1 place, a component's value to 4 (Python's ``round`` on the float, then its
shortest text, as ``stored_decimal`` did), a weight its shortest text. Downgrade turns the
text back into REAL.

Revision ID: 0021_usage_decimals
Revises: 0020_event_stitch_state
Create Date: 2026-12-05
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import sync.store.types

revision = "0021_usage_decimals"
down_revision = "0020_event_stitch_state"
branch_labels = None
depends_on = None

# (table, column, places the figure was rounded to (None: as it is), nullable)
_COLUMNS = (
    ("usage_scores", "score", 1, True),
    ("usage_components", "value", 4, True),
    ("usage_components", "weight", None, False),
)


def _text(value: float, places: int | None) -> str:
    exact = float(value) if places is None else round(float(value), places)
    return str(Decimal(repr(exact)))


def upgrade() -> None:
    bind = op.get_bind()
    for name, column, places, nullable in _COLUMNS:
        table = sa.table(name, sa.column("id", sa.Integer()), sa.column(column, sa.Float()))
        rows = bind.execute(
            sa.select(table.c.id, table.c[column]).where(table.c[column].is_not(None))
        ).all()
        with op.batch_alter_table(name) as batch:
            batch.alter_column(
                column,
                existing_type=sa.Float(),
                type_=sync.store.types.DecimalText(length=40),
                existing_nullable=nullable,
                postgresql_using=f"{column}::text",
            )
        text = sa.table(name, sa.column("id", sa.Integer()), sa.column(column, sa.String()))
        if rows:
            bind.execute(
                sa.update(text).where(text.c.id == sa.bindparam("key")),
                [{"key": key, column: _text(value, places)} for key, value in rows],
            )


def downgrade() -> None:
    for name, column, _places, nullable in _COLUMNS:
        with op.batch_alter_table(name) as batch:
            batch.alter_column(
                column,
                existing_type=sync.store.types.DecimalText(length=40),
                type_=sa.Float(),
                existing_nullable=nullable,
                postgresql_using=f"{column}::double precision",
            )
