"""What ``crmsync status`` reports, read from the store.

Plain SQL through the database driver (:class:`sync.store.readonly.StoreReader`): the
command starts without SQLAlchemy, SQLModel or the ORM. The tables and columns are those of
``sync/store/bookkeeping.py`` and ``sync/store/daemon_jobs.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sync.store.readonly import StoreReader, engine_reader

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["collect_jobs", "collect_status", "cursor_summary", "deleted_summary"]

_COUNTS = (
    "fetched",
    "inserted",
    "updated",
    "deleted",
    "deleted_reported",
    "deleted_merged",
    "deleted_missing",
    "restored",
    "api_calls",
)
_JOBS = (
    "SELECT job, schedule, next_run_at, last_finished_at, last_status, last_error, "
    "consecutive_failures, backoff_until, heartbeat_at, owner FROM daemon_jobs ORDER BY job"
)
_HELD = (
    "SELECT source, stream, count(*) AS held FROM quarantine WHERE NOT resolved "
    "GROUP BY source, stream"
)
_LAST_RUN = "SELECT id, started_at FROM sync_runs WHERE source = ? ORDER BY id DESC LIMIT 1"
_STREAMS = (
    f"SELECT stream, status, {', '.join(_COUNTS)}, error FROM sync_run_streams WHERE run_id = ?"
)


@contextmanager
def _reading(store: StoreReader | Engine) -> Iterator[StoreReader]:
    if isinstance(store, StoreReader):
        yield store
    else:  # an engine (the daemon's tests): one of its pooled connections
        with engine_reader(store) as reader:
            yield reader


def collect_jobs(
    store: StoreReader | Engine, now: datetime, heartbeat: timedelta
) -> list[dict[str, Any]]:
    """The daemon's jobs as it last recorded them, and whether that daemon looks alive
    (a heartbeat within three intervals)."""
    with _reading(store) as reader:
        found = reader.rows(_JOBS)
        when = reader.when
    rows = []
    for job in found:
        beat = when(job["heartbeat_at"])
        alive = beat is not None and now - beat <= 3 * heartbeat
        rows.append(
            {
                "job": job["job"],
                "schedule": job["schedule"],
                "next_run_at": when(job["next_run_at"]) if alive else None,
                "daemon": (job["owner"] or "?") if alive else "not running",
                "last_status": job["last_status"],
                "last_finished_at": when(job["last_finished_at"]),
                "consecutive_failures": job["consecutive_failures"],
                "backoff_until": when(job["backoff_until"]),
                "last_error": job["last_error"],
            }
        )
    return rows


def collect_status(store: StoreReader | Engine, sources: list[str]) -> list[dict[str, Any]]:
    """One row per (source, stream) seen, plus a row for sources never synced."""
    rows: list[dict[str, Any]] = []
    with _reading(store) as reader:
        cursors = {
            (r["source"], r["stream"]): reader.document(r["state"])
            for r in reader.rows("SELECT source, stream, state FROM sync_state")
        }
        held = {f"{r['source']}/{r['stream']}": int(r["held"]) for r in reader.rows(_HELD)}
        for source in sources:
            last = next(iter(reader.rows(_LAST_RUN, (source,))), None)
            if last is None:
                rows.append(
                    {
                        "source": source,
                        "stream": None,
                        "last_run_at": None,
                        "status": None,
                        "fetched": 0,
                        "cursor": None,
                        "quarantined": 0,
                    }
                )
                continue
            for s in reader.rows(_STREAMS, (last["id"],)):
                state = cursors.get((source, s["stream"])) or {}
                rows.append(
                    {
                        "source": source,
                        "stream": s["stream"],
                        "last_run_at": reader.when(last["started_at"]),
                        "run_id": last["id"],
                        "status": s["status"],
                        **{count: s[count] for count in _COUNTS},
                        "error": s["error"],
                        "cursor": cursor_summary(state),
                        "quarantined": held.get(f"{source}/{s['stream']}", 0),
                    }
                )
    return rows


def deleted_summary(row: dict[str, Any]) -> str:
    """A status row's deletes with their kinds, e.g. ``8 (7 reported, 1 merged)``.

    Runs recorded before the store kept the kinds have only the total, shown alone.
    """
    total = row.get("deleted") or 0
    kinds = [
        f"{row[key]} {label}"
        for key, label in (
            ("deleted_reported", "reported"),
            ("deleted_merged", "merged"),
            ("deleted_missing", "missing"),
        )
        if row.get(key)
    ]
    return f"{total} ({', '.join(kinds)})" if kinds else str(total)


def cursor_summary(state: Any) -> str | None:
    """The furthest ``cursor`` found anywhere in a connector's (opaque) stream state.

    Connectors nest cursors per remote object and write them as ISO strings or epoch
    milliseconds; the summary is the latest one, as ISO 8601 UTC.
    """
    found: list[datetime] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "cursor" and value is not None:
                    when = _as_datetime(value)
                    if when is not None:
                        found.append(when)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(state)
    return max(found).astimezone(UTC).isoformat(timespec="seconds") if found else None


def _as_datetime(value: Any) -> datetime | None:
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
