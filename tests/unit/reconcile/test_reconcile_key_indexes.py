"""The block keys' indexes in a full run: dropped for the bulk writes, built again (in a
thread beside the scoring, or at the end), and never lost when the run fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sync.reconcile.key_indexes import keys_unindexed
from sync.store import open_store

_NAMES = ["ix_reconcile_keys_block_key", "ix_reconcile_keys_record_key"]


def _indexes_seen_by(connection) -> list[str]:
    rows = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
        {"t": "reconcile_keys"},
    )
    return sorted(name for (name,) in rows if not name.startswith("sqlite_"))


def _indexes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return _indexes_seen_by(connection)


def _write_keys(connection, count: int) -> None:
    connection.exec_driver_sql(
        "INSERT INTO reconcile_keys (block_key, record_key) VALUES (?, ?)",
        [(f"person/n:{n % 97}", f"crm:contacts:{n}") for n in range(count)],
    )


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield engine
    engine.dispose()


def test_the_indexes_are_dropped_for_the_writes_and_built_in_the_background(store) -> None:
    assert _indexes(store) == _NAMES
    with store.begin() as connection, keys_unindexed(connection) as indexes:
        assert _indexes_seen_by(connection) == []
        assert _indexes(store) == _NAMES  # dropped in the run's transaction only
        _write_keys(connection, 20_000)
        indexes.build_in_background()
        indexes.join()
        assert _indexes_seen_by(connection) == _NAMES
        # The run's connection has its page cache back after the sort.
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -262144
    assert _indexes(store) == _NAMES
    with store.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT record_key FROM reconcile_keys WHERE block_key = 'x'"
        ).fetchall()
    assert "ix_reconcile_keys_block_key" in str(plan)


def test_without_a_background_start_the_indexes_are_built_at_the_end(store) -> None:
    with store.begin() as connection, keys_unindexed(connection):
        _write_keys(connection, 1_000)
    assert _indexes(store) == _NAMES
    with store.connect() as connection:
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM reconcile_keys INDEXED BY ix_reconcile_keys_record_key "
            "WHERE record_key = 'crm:contacts:7'"
        ).scalar()
    assert count == 1


def test_a_failed_background_build_is_raised_in_the_run_and_nothing_is_lost(store) -> None:
    failed = pytest.raises(Exception, match="already a table named ix_reconcile_keys_block_key")
    with failed, store.begin() as connection, keys_unindexed(connection) as indexes:
        _write_keys(connection, 1_000)
        # A name the index cannot take: its build fails in the thread.
        connection.exec_driver_sql("CREATE TABLE ix_reconcile_keys_block_key (x)")
        indexes.build_in_background()
        indexes.join()
    # The run's transaction rolled back: the indexes dropped in it are there again.
    assert _indexes(store) == _NAMES
    with store.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM reconcile_keys").scalar() == 0


def test_a_run_failing_while_the_indexes_build_waits_for_the_build_then_rolls_back(
    store,
) -> None:
    failed = pytest.raises(RuntimeError, match="scoring failed")
    with failed, store.begin() as connection, keys_unindexed(connection) as indexes:
        _write_keys(connection, 50_000)
        indexes.build_in_background()
        raise RuntimeError("scoring failed")
    assert _indexes(store) == _NAMES
    with store.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM reconcile_keys").scalar() == 0


def test_a_store_in_memory_builds_them_in_the_runs_thread() -> None:
    engine = open_store("sqlite:///:memory:")
    with engine.begin() as connection:
        with keys_unindexed(connection) as indexes:
            _write_keys(connection, 1_000)
            indexes.build_in_background()  # not in a thread: the driver would refuse it
            assert _indexes_seen_by(connection) == []
        assert _indexes_seen_by(connection) == _NAMES
    engine.dispose()
