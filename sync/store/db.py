"""Open the store: engine with sane per-backend settings, migrated to the latest schema."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sync.errors import OperationFailed
from sync.store.revisions import MIGRATIONS, head_revisions

__all__ = ["StoreUnavailable", "migrate", "open_store"]


class StoreUnavailable(OperationFailed):
    """The database cannot be opened or migrated."""


def open_store(url: str, migrate_schema: bool = True) -> Engine:
    """An engine for ``url`` (``sqlite:///file`` or ``postgresql://...``), migrated."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # A server's connection can drop between uses (restart, idle timeout): test it when the
    # pool hands it out. A SQLite file's cannot, and a sync hands one out a few hundred
    # times a run (each page, each stream's bookkeeping).
    engine = create_engine(
        url,
        pool_pre_ping=not url.startswith("sqlite"),
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate_schema:
        migrate(engine)
    return engine


def _json_dumps(value: object) -> str:
    # orjson: several times faster than json.dumps on raw payloads, same text for the same
    # input. Values JSON has no type for (Decimal, dates) are written as strings.
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the write-ahead log into the database every 10,000 pages (40 MB) rather than
    # SQLite's 1,000: each copy syncs the disk twice, and a page written again between two
    # copies (an index page of a busy table) is copied once. An incremental sync at medium
    # scale (69 page commits) filled the log several times over: its log is now copied
    # once, as the command closes the store.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Up to 256 MiB of pages in memory (SQLite's default is 2 MiB), taken only as a store
    # grows: inserting a million rows keyed on random ids (event message ids) into indexes
    # of that size re-read index pages on almost every row (62 against 52 µs an event).
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (idempotent).

    A store already at the latest revision (the common case: every command opens the store)
    is recognised by one query, without importing Alembic or loading its scripts, which
    would cost each command a noticeable part of its start-up time.
    """
    if _at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        # One process migrates at a time: another one opening a new store at the same moment
        # (the daemon and a command, say) waits, then upgrades from the revision the first
        # one stored, which is nothing to do.
        with _one_migrator(engine), engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATE_LOCK})"))
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except OperationalError as exc:
        raise StoreUnavailable(
            f"cannot open the store at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}; check store.url in the config and that the database is running"
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot migrate the store: {exc}") from exc


# The store's schema in the key: stores in several schemas of one database migrate apart.
# Not the key ``sync.workers.schema`` holds while it calls this (that would wait on itself).
_MIGRATE_LOCK = "hashtext(current_schema() || ' crmsync:store-migration')"


@contextmanager
def _one_migrator(engine: Engine) -> Iterator[None]:
    """On a SQLite file, hold an exclusive ``flock`` on ``<database>.migrate.lock`` (the
    kernel drops it if this process dies); on PostgreSQL the migration's transaction takes
    an advisory lock instead."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database).expanduser().resolve()
    with open(path.with_name(f"{path.name}.migrate.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released as the file closes
        yield


def _at_head(engine: Engine) -> bool:
    """True if the store's ``alembic_version`` holds exactly the scripts' head revisions."""
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version"))
            return set(stored.scalars()) == head_revisions()
    except SQLAlchemyError:  # no such table yet, or no database: Alembic reports it
        return False
