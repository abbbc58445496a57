"""What ``crmsync status`` reports, read from the store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from sync.store.bookkeeping import QuarantineRow, RunRow, RunStreamRow, StreamStateRow

__all__ = ["collect_status"]


def collect_status(engine: Engine, sources: list[str]) -> list[dict[str, Any]]:
    """One row per (source, stream) seen, plus a row for sources never synced."""
    runs = RunRow.__table__  # type: ignore[attr-defined]
    streams = RunStreamRow.__table__  # type: ignore[attr-defined]
    states = StreamStateRow.__table__  # type: ignore[attr-defined]
    quarantine = QuarantineRow.__table__  # type: ignore[attr-defined]
    rows: list[dict[str, Any]] = []
    with engine.connect() as conn:
        cursors = {(r.source, r.stream): r.state for r in conn.execute(select(states))}
        held = dict(
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
                        "api_calls": s.api_calls,
                        "error": s.error,
                        "cursor": str(state.get("cursor")) if state.get("cursor") else None,
                        "quarantined": held.get(f"{source}/{s.stream}", 0),
                    }
                )
    return rows
