"""What ``crmsync status`` reports, read from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

# Light Core handles, not the SQLModel classes: status starts without SQLModel and the ORM.
from sync.store.light import DAEMON_JOBS, QUARANTINE, RUN_STREAMS, RUNS, STREAM_STATES

__all__ = ["collect_jobs", "collect_status", "cursor_summary", "deleted_summary"]


def collect_jobs(engine: Engine, now: datetime, heartbeat: timedelta) -> list[dict[str, Any]]:
    """The daemon's jobs as it last recorded them, and whether that daemon looks alive
    (a heartbeat within three intervals)."""
    with engine.connect() as conn:
        found = conn.execute(select(DAEMON_JOBS).order_by(DAEMON_JOBS.c.job)).all()
    rows = []
    for job in found:
        alive = job.heartbeat_at is not None and now - job.heartbeat_at <= 3 * heartbeat
        rows.append(
            {
                "job": job.job,
                "schedule": job.schedule,
                "next_run_at": job.next_run_at if alive else None,
                "daemon": (job.owner or "?") if alive else "not running",
                "last_status": job.last_status,
                "last_finished_at": job.last_finished_at,
                "consecutive_failures": job.consecutive_failures,
                "backoff_until": job.backoff_until,
                "last_error": job.last_error,
            }
        )
    return rows


def collect_status(engine: Engine, sources: list[str]) -> list[dict[str, Any]]:
    """One row per (source, stream) seen, plus a row for sources never synced."""
    runs, streams, states, quarantine = RUNS, RUN_STREAMS, STREAM_STATES, QUARANTINE
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        cursors = {(r.source, r.stream): r.state for r in conn.execute(select(states))}
        held: dict[str, int] = dict(
            conn.execute(
                select(quarantine.c.source.concat("/").concat(quarantine.c.stream), func.count())
                .where(quarantine.c.resolved.is_(False))
                .group_by(quarantine.c.source, quarantine.c.stream)
            ).all()
        )
        for source in sources:
            last = conn.execute(
                select(runs).where(runs.c.source == source).order_by(runs.c.id.desc()).limit(1)
            ).first()
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
            for s in conn.execute(select(streams).where(streams.c.run_id == last.id)):
                state = cursors.get((source, s.stream)) or {}
                rows.append(
                    {
                        "source": source,
                        "stream": s.stream,
                        "last_run_at": last.started_at,
                        "run_id": last.id,
                        "status": s.status,
                        "fetched": s.fetched,
                        "inserted": s.inserted,
                        "updated": s.updated,
                        "deleted": s.deleted,
                        "deleted_reported": s.deleted_reported,
                        "deleted_merged": s.deleted_merged,
                        "deleted_missing": s.deleted_missing,
                        "restored": s.restored,
                        "api_calls": s.api_calls,
                        "error": s.error,
                        "cursor": cursor_summary(state),
                        "quarantined": held.get(f"{source}/{s.stream}", 0),
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
    return max(found).isoformat(timespec="seconds") if found else None


def _as_datetime(value: Any) -> datetime | None:
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
