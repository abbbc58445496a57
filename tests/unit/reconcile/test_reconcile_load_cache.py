"""Loading records for reconciliation reads with a small SQLite page cache and leaves the
pooled connection's own cache setting as it was (a million people: the store's 256 MB of
cached pages stayed resident through the run after the load)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from sync.reconcile.entities import account_index, load_entities
from sync.store import open_store


def test_records_are_read_with_a_small_page_cache_then_the_stores_own_is_back(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    seen: list[int] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _cache_at_each_read(connection, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(cursor.connection.execute("PRAGMA cache_size").fetchone()[0])

    try:
        assert load_entities(engine, "person") == []
        assert account_index(engine) == {}
        assert seen and set(seen) == {-8_192}
        event.remove(engine, "before_cursor_execute", _cache_at_each_read)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -262_144
    finally:
        engine.dispose()


def test_records_read_by_key_keep_the_stores_cache_for_their_index_lookups(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    seen: list[int] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _cache_at_each_read(connection, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "contacts" in statement:
            seen.append(cursor.connection.execute("PRAGMA cache_size").fetchone()[0])

    try:
        assert load_entities(engine, "person", keys=["hubspot:contacts:1"], accounts={}) == []
        assert seen and set(seen) == {-262_144}
    finally:
        engine.dispose()
