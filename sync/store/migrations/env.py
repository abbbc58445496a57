"""Alembic environment: runs on the connection crmsync hands over (see ``db.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import sync.store.bookkeeping
import sync.store.event_links
import sync.store.rates
import sync.store.records
import sync.store.web_signin  # noqa: F401  (these register their tables on the metadata)
from sync.store import core_tables

# The pull's tables are on a MetaData of their own (their models are mapped onto
# them); Alembic compares the store with both.
target_metadata = [SQLModel.metadata, core_tables.metadata]
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through sync.store.db.migrate(engine)")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
