"""Preparing the store for workers: crmsync's migrations, procrastinate's tables and the
table of worker names.

Several workers may start at the same moment: both steps run under one advisory lock, so
exactly one of them migrates and the others find the work done. procrastinate's tables go
into the store's schema (the first of its ``search_path``).
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from sync.errors import UsageError
from sync.locks import LOCK_ID
from sync.workers.naming import NAMES_TABLE_DDL

__all__ = ["prepare_store", "procrastinate_installed"]

_MIGRATE_KEY = "crmsync:migrate"


def procrastinate_installed(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    return found is not None


def prepare_store(engine: Engine) -> bool:
    """Migrate the store and install procrastinate's schema if missing; True if installed
    now. Refuses stores that are not PostgreSQL."""
    if engine.dialect.name != "postgresql":
        raise UsageError(
            "crmsync worker needs a PostgreSQL store (store.url: postgresql://...); with "
            "SQLite use crmsync daemon"
        )
    from procrastinate.schema import SchemaManager

    from sync.store import migrate

    with engine.connect() as lock_conn:
        lock_conn.execute(text(f"SELECT pg_advisory_lock({LOCK_ID})"), {"key": _MIGRATE_KEY})
        lock_conn.commit()
        try:
            migrate(engine)
            installed = not procrastinate_installed(engine)
            with engine.begin() as conn:
                if installed:
                    # Through the driver, without parameters: the script holds literal '%'.
                    conn.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]
                conn.execute(text(NAMES_TABLE_DDL))  # also on queues installed before it
            return installed
        finally:
            lock_conn.execute(text(f"SELECT pg_advisory_unlock({LOCK_ID})"), {"key": _MIGRATE_KEY})
            lock_conn.commit()
