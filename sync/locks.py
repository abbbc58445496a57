"""A run lock per source, shared by the daemon, ``crmsync sync``, the pipeline and the steps
that must not run twice at once (compute, push). It sits below them all, beside the store:
it needs only the store's engine.

PostgreSQL: a session advisory lock on ``hashtext(current_schema() || ' crmsync:sync:' ||
source)``, held on a dedicated connection; the server drops it when that session dies.
Advisory locks are per database, so the key names the store's schema too: stores kept in
several schemas of one database (one per tenant, say) never block each other's sources.
SQLite: ``fcntl.flock`` on a file next to the database; the kernel drops it when the
holder's process dies, so a crashed holder never blocks the next run. Either way the holder
is recorded (pid, host, since) so a refused caller can say who has the source.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

import orjson
from sqlalchemy import Connection, Engine, text

__all__ = [
    "LOCK_ID",
    "AdvisoryRunLock",
    "FileRunLock",
    "LockHolder",
    "RunLock",
    "acquire_run_lock",
    "holder_name",
    "run_lock",
]

_KEY = "crmsync:sync:{source}"
# the advisory lock id of ``:key`` in this connection's store (its schema)
LOCK_ID = "hashtext(current_schema() || ' ' || :key)"


@dataclass(frozen=True)
class LockHolder:
    """Who holds a source's run lock."""

    pid: int | None
    host: str | None
    since: datetime | None

    def describe(self) -> str:
        since = self.since.strftime("%Y-%m-%d %H:%M:%S UTC") if self.since else "unknown time"
        return f"pid {self.pid or '?'} on {self.host or '?'} since {since}"


class RunLock(Protocol):
    """Non-blocking try, release, and who holds it."""

    source: str
    # who held the lock when the last try_acquire was refused, read at that moment: a
    # holder that finishes before the refused caller reports it is still named
    refused_by: LockHolder | None

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...

    def holder(self) -> LockHolder | None: ...


def _me() -> tuple[int, str, datetime]:
    return os.getpid(), socket.gethostname(), datetime.now(UTC).replace(microsecond=0)


class FileRunLock:
    """``flock`` on ``<database>.<source>.lock``; the file's content names the holder."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        self.refused_by: LockHolder | None = None
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.refused_by = self._read_refusing_holder(handle)
            handle.close()
            return False
        pid, host, since = _me()
        handle.seek(0)
        handle.truncate()
        handle.write(orjson.dumps({"pid": pid, "host": host, "since": since.isoformat()}))
        handle.flush()
        self._file = handle
        return True

    @staticmethod
    def _read_refusing_holder(handle: IO[bytes]) -> LockHolder | None:
        # The holder writes its name right after its flock: give it a moment to appear.
        for _ in range(50):
            handle.seek(0)
            holder = _parse_holder(handle.read())
            if holder is not None:
                return holder
            time.sleep(0.01)
        return None

    def release(self) -> None:
        if self._file is not None:
            # Clear the holder before unlocking, so no reader sees a stale name.
            self._file.truncate(0)
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def holder(self) -> LockHolder | None:
        try:
            return _parse_holder(self.path.read_bytes())
        except FileNotFoundError:
            return None


def _parse_holder(content: bytes) -> LockHolder | None:
    try:
        data = orjson.loads(content or b"null")
    except orjson.JSONDecodeError:  # caught mid-write
        return None
    if not data:
        return None
    return LockHolder(data.get("pid"), data.get("host"), datetime.fromisoformat(data["since"]))


class AdvisoryRunLock:
    """``pg_try_advisory_lock`` on a connection kept open while the lock is held."""

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source
        self.key = _KEY.format(source=source)
        self.refused_by: LockHolder | None = None
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        conn = self.engine.connect()
        pid, host, _ = _me()
        # The holder's name travels in application_name, visible in pg_stat_activity.
        conn.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"crmsync pid={pid} host={host}"[:63]},
        )
        got = conn.execute(
            text(f"SELECT pg_try_advisory_lock({LOCK_ID})"), {"key": self.key}
        ).scalar()
        conn.commit()
        if not got:
            conn.close()
            self.refused_by = self.holder()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text(f"SELECT pg_advisory_unlock({LOCK_ID})"), {"key": self.key})
            self._conn.commit()
            self._conn.close()
            self._conn = None

    def holder(self) -> LockHolder | None:
        query = text(
            "SELECT a.application_name, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            f"AND ((l.classid::bigint << 32) | l.objid::bigint) = {LOCK_ID}::bigint"
        )
        with self.engine.connect() as conn:
            row = conn.execute(query, {"key": self.key}).first()
        if row is None:
            return None
        fields = dict(p.split("=", 1) for p in str(row[0]).split() if "=" in p)
        pid = int(fields["pid"]) if fields.get("pid", "").isdigit() else None
        return LockHolder(pid, fields.get("host"), row[1])


def holder_name(lock: RunLock) -> str:
    """Who refused the last ``try_acquire`` (pid, host, since), for a one-line message."""
    holder = lock.refused_by or lock.holder()
    return holder.describe() if holder else "another process"


def run_lock(engine: Engine, source: str) -> RunLock:
    """The run lock of ``source`` for this store's backend."""
    if engine.dialect.name == "postgresql":
        return AdvisoryRunLock(engine, source)
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("a run lock needs a file database or PostgreSQL")
    db_path = Path(database).expanduser().resolve()
    return FileRunLock(db_path.with_name(f"{db_path.name}.{source}.lock"), source)


def acquire_run_lock(lock: RunLock, wait: float = 0.0, poll: float = 0.5) -> bool:
    """Try to take ``lock``, retrying for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        if lock.try_acquire():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
