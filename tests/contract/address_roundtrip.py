"""A record read by a connector, written into a fresh store, read back as its row: the
address columns a connector's mapping fills are what the tests compare."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from connectors.core.contract import Connector, Page, ReadOptions
from sync.store import open_store
from sync.store.pages import write_page
from sync.store.records import TABLES

__all__ = ["ADDRESS_COLUMNS", "stored_addresses"]

ADDRESS_COLUMNS = ("street", "city", "state", "postal_code", "country")
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stored_addresses(
    connector: Connector,
    source: str,
    stream: str,
    kind: str,
    remote_ids: set[str],
    tmp_path: Path,
) -> dict[str, dict[str, Any]]:
    """remote id -> the address columns of its store row, after a full read of ``stream``."""
    pages = list(connector.read(stream, None, ReadOptions()))
    wanted = [r for p in pages for r in p.records if r.remote_id in remote_ids]
    assert {r.remote_id for r in wanted} == remote_ids
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with engine.begin() as conn:
            write_page(conn, source, Page(stream, wanted, {}), kind, None, _NOW)
        table = TABLES[kind].__table__  # type: ignore[attr-defined]
        columns = [table.c.remote_id, *(table.c[name] for name in ADDRESS_COLUMNS)]
        with engine.connect() as conn:
            rows = conn.execute(select(*columns).where(table.c.source == source))
            return {row[0]: dict(zip(ADDRESS_COLUMNS, row[1:], strict=True)) for row in rows}
    finally:
        engine.dispose()
