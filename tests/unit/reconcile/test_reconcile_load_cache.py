"""Loading records for reconciliation reads whole tables with a small SQLite page cache and
leaves the pooled connection's own cache setting as it was (a million people: the store's
256 MB of cached pages stayed resident through the run after the load); records read by
key keep the store's cache for their index lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event

from sync.reconcile.entities import account_index, load_entities
from sync.store import open_store

STORE_CACHE = -262_144  # the store's own (sync.store.db), in KiB


@contextmanager
def _caches_at_reads(tmp_path: Path) -> Iterator[tuple[Engine, list[int]]]:
    """A new store, and the page cache setting at each SELECT run on it in the body."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    seen: list[int] = []

    def _cache_at_each_read(connection, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(cursor.connection.execute("PRAGMA cache_size").fetchone()[0])

    event.listen(engine, "before_cursor_execute", _cache_at_each_read)
    try:
        yield engine, seen
    finally:
        event.remove(engine, "before_cursor_execute", _cache_at_each_read)
        engine.dispose()


def test_whole_tables_are_read_with_a_small_page_cache_then_the_stores_own_is_back(
    tmp_path: Path,
) -> None:
    with _caches_at_reads(tmp_path) as (engine, seen):
        assert load_entities(engine, "person") == []
        assert account_index(engine) == {}
        assert seen and set(seen) == {-8_192}
        seen.clear()
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert seen == [STORE_CACHE]


def test_records_read_by_key_keep_the_stores_cache_for_their_index_lookups(
    tmp_path: Path,
) -> None:
    with _caches_at_reads(tmp_path) as (engine, seen):
        assert load_entities(engine, "person", keys=["hubspot:contacts:1"], accounts={}) == []
        assert seen and set(seen) == {STORE_CACHE}
