"""The normalised store (SQLModel over SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync.store.db import StoreUnavailable, migrate, open_store

if TYPE_CHECKING:
    from sync.store.records import TABLES

__all__ = ["TABLES", "StoreUnavailable", "migrate", "open_store"]


def __getattr__(name: str) -> Any:
    # The record tables (dozens of models) load on first use: commands that read only the
    # run bookkeeping, such as `crmsync status`, start faster without them.
    if name == "TABLES":
        from sync.store.records import TABLES

        return TABLES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
