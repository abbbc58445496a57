"""Read a few bookkeeping rows through the database driver alone, for ``crmsync status``.

Importing SQLAlchemy's engine and SQL compiler is about a third of a short command's
start-up (0.12-0.15 s of ``status``'s 0.48 s CPU). ``status`` runs five small queries and
needs none of it when the store is already at the latest schema revision (the common case):
then it reads through ``sqlite3`` or ``psycopg`` directly, with plain SQL written for both.
Any other case (no store yet, an older schema, a URL this module does not read, a driver
error) goes through :func:`sync.store.open_store`, which creates or migrates the store or
says why it cannot, and the same queries then run on its pooled driver connection.

Values come back as the store's column types give them on each backend; :meth:`when` and
:meth:`document` turn SQLite's text into aware UTC datetimes and JSON documents, as the
``UtcDateTime`` and ``JsonDoc`` column types do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sync.store.revisions import head_revisions

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["StoreReader", "engine_reader", "read_store"]

_SQLITE = "sqlite:///"
_POSTGRES = ("postgresql://", "postgresql+psycopg://")


class StoreReader:
    """Plain SQL (``?`` placeholders) over one DB-API connection of the store."""

    def __init__(
        self, connection: Any, dialect: str, close: Callable[[], None], direct: bool
    ) -> None:
        self._connection = connection
        self.dialect = dialect
        self.direct = direct  # the driver's own connection, not one of an engine's pool
        self._close = close

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts keyed by column name."""
        if self.dialect == "postgresql":
            sql = sql.replace("?", "%s")  # psycopg's placeholder
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, tuple(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    @staticmethod
    def when(value: Any) -> datetime | None:
        """A ``UtcDateTime`` column's value as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):  # SQLite: "2026-10-31 12:00:00.000000", stored in UTC
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def document(value: Any) -> Any:
        """A ``JsonDoc`` column's value as the JSON document (SQLite stores its text)."""
        return orjson.loads(value) if isinstance(value, str | bytes) else value

    def close(self) -> None:
        self._close()


@contextmanager
def read_store(url: str) -> Iterator[StoreReader]:
    """A reader of the store at ``url``: through its driver alone when the store is at the
    latest revision, otherwise opened (created, migrated) by :func:`open_store` first."""
    reader = _direct(url)
    if reader is None:
        from sync.store.db import open_store

        engine = open_store(url)
        try:
            with engine_reader(engine) as opened:
                yield opened
        finally:
            engine.dispose()
        return
    try:
        yield reader
    finally:
        reader.close()


@contextmanager
def engine_reader(engine: Engine) -> Iterator[StoreReader]:
    """A reader on one driver connection of ``engine``'s pool."""
    raw = engine.raw_connection()
    reader = StoreReader(raw, engine.dialect.name, raw.close, direct=False)
    try:
        yield reader
    finally:
        reader.close()


def _direct(url: str) -> StoreReader | None:
    """A driver connection to an existing store at the latest revision, else None."""
    try:
        reader = _connect(url)
    except Exception:
        return None
    if reader is None:
        return None
    try:
        stored = {r["version_num"] for r in reader.rows("SELECT version_num FROM alembic_version")}
    except Exception:
        reader.close()
        return None
    if stored != head_revisions():
        reader.close()
        return None
    return reader


def _connect(url: str) -> StoreReader | None:
    if url.startswith(_SQLITE) and "?" not in url:
        path = url.removeprefix(_SQLITE)
        if path == ":memory:" or not Path(path).is_file():
            return None
        import sqlite3

        connection = sqlite3.connect(path)
        connection.execute("PRAGMA busy_timeout=30000")  # as open_store: wait for a writer
        return StoreReader(connection, "sqlite", connection.close, direct=True)
    if url.startswith(_POSTGRES):
        import psycopg

        conninfo = "postgresql://" + url.split("://", 1)[1]
        postgres = psycopg.connect(conninfo, autocommit=True)
        return StoreReader(postgres, "postgresql", postgres.close, direct=True)
    return None
