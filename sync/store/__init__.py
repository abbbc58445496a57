"""The normalised store (SQLModel over SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.store.db import StoreUnavailable, migrate, open_store
    from sync.store.records import TABLES

__all__ = ["TABLES", "StoreUnavailable", "migrate", "open_store"]

# Loaded on first use: the record tables (dozens of models) and SQLAlchemy itself. Commands
# that only read the run bookkeeping, such as `crmsync status` on an up-to-date store, read
# it through the database driver (sync/store/readonly.py) and start faster without them.
_LAZY = {
    "TABLES": "sync.store.records",
    "StoreUnavailable": "sync.store.db",
    "migrate": "sync.store.db",
    "open_store": "sync.store.db",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
