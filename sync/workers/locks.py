"""The run lock of one stream of a source, compatible with the whole-source run lock.

procrastinate's job ``lock`` already keeps one job per (source, stream) running among the
workers. This advisory lock also keeps a worker's stream sync and a whole-source run
(``crmsync sync``, ``crmsync daemon``; they hold ``sync.locks``' exclusive lock on
the source) apart: a stream sync holds the source's key *shared* plus its own
``source/stream`` key exclusive, so streams of one source run side by side on several
workers while a whole-source run waits for all of them (and they for it). Both are session
locks on a dedicated connection: a killed worker's locks go with its connection.
"""

from __future__ import annotations

import os
import socket

from sqlalchemy import Connection, Engine, text

from sync.locks import LOCK_ID

__all__ = ["StreamLock"]

_SOURCE_KEY = "crmsync:sync:{source}"  # the key of sync.locks.AdvisoryRunLock
_STREAM_KEY = "crmsync:sync:{source}/{stream}"


class StreamLock:
    """Non-blocking: ``try_acquire`` takes both keys or neither."""

    def __init__(self, engine: Engine, source: str, stream: str) -> None:
        self.engine = engine
        self.source_key = _SOURCE_KEY.format(source=source)
        self.stream_key = _STREAM_KEY.format(source=source, stream=stream)
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        conn = self.engine.connect()
        shared = own = False
        try:
            conn.execute(
                text("SELECT set_config('application_name', :name, false)"),
                {"name": f"crmsync pid={os.getpid()} host={socket.gethostname()}"[:63]},
            )
            shared = bool(
                conn.execute(
                    text(f"SELECT pg_try_advisory_lock_shared({LOCK_ID})"),
                    {"key": self.source_key},
                ).scalar()
            )
            if shared:
                own = bool(
                    conn.execute(
                        text(f"SELECT pg_try_advisory_lock({LOCK_ID})"), {"key": self.stream_key}
                    ).scalar()
                )
                if not own:
                    conn.execute(
                        text(f"SELECT pg_advisory_unlock_shared({LOCK_ID})"),
                        {"key": self.source_key},
                    )
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if not (shared and own):
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.commit()
        finally:
            conn.close()
