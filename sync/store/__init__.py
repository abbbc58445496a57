"""The normalised store (SQLModel over SQLite or PostgreSQL)."""

from sync.store.db import StoreUnavailable, migrate, open_store
from sync.store.records import TABLES

__all__ = ["TABLES", "StoreUnavailable", "migrate", "open_store"]
