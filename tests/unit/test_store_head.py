"""Opening a store already at the latest schema skips Alembic; the head it compares with
is read from the migration scripts' source and must be Alembic's own."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from sync.store.db import MIGRATIONS, head_revisions, migrate, open_store


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert head_revisions() == frozenset(ScriptDirectory.from_config(config).get_heads())


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_a_new_store_is_migrated_and_then_left_at_the_head(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", migrate_schema=False)
    try:
        assert inspect(engine).get_table_names() == []
        migrate(engine)
        tables = set(inspect(engine).get_table_names())
        assert {"alembic_version", "sync_runs"} <= tables
        assert _versions(engine) == head_revisions()
        migrate(engine)  # at the head: recognised without Alembic, nothing changes
        assert _versions(engine) == head_revisions()
        assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()
