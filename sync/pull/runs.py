"""Run history: one row per source run, one per stream, with counts and errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from sync.store.core_tables import SYNC_RUN_STREAMS, SYNC_RUNS, SYNC_STATE
from sync.store.pages import PageCounts, save_stream_state

__all__ = [
    "ABORTED_MESSAGE",
    "INTERRUPTED_MESSAGE",
    "RunLedger",
    "SavedStream",
    "close_running_runs",
    "id_check_is_due",
    "load_state",
    "load_states",
]


class RunLedger:
    """Opens, updates and closes the run rows of one source run."""

    def __init__(
        self, engine: Engine, source: str, started_at: datetime, full: bool, dry_run: bool
    ) -> None:
        self.engine = engine
        self.source = source
        runs = SYNC_RUNS
        with engine.begin() as conn:
            result = conn.execute(
                insert(runs).values(
                    source=source,
                    started_at=started_at,
                    status="running",
                    full=full,
                    dry_run=dry_run,
                )
            )
            self.run_id: int = int(result.inserted_primary_key[0])  # type: ignore[index]
        self._opened: str | None = None  # the stream the last finish_stream opened

    def start_stream(self, stream: str) -> None:
        if stream == self._opened:  # its row was opened as the previous stream closed
            return
        with self.engine.begin() as conn:
            conn.execute(_START, self._running(stream))

    def finish_stream(
        self,
        stream: str,
        status: str,
        counts: PageCounts,
        api_calls: int,
        seconds: float,
        error: str | None = None,
        then: str | None = None,
        cursor: tuple[str, dict[str, Any], datetime] | None = None,
        id_checked_at: datetime | None = None,
    ) -> None:
        """Close the row ``start_stream`` opened with the stream's outcome; with ``then``,
        open that stream's row in the same transaction (the run goes straight on to it:
        its ``start_stream`` then writes nothing); with ``cursor`` (a page's stream, state
        and when it was read), save that state in it too; with ``id_checked_at``, record
        that the stream's ids were compared with the CRM's then."""
        values = _outcome(status, counts, api_calls, seconds, error)
        with self.engine.begin() as conn:
            if cursor is not None:
                name, state, read_at = cursor
                save_stream_state(conn, self.source, name, state, self.run_id, read_at)
            if id_checked_at is not None:
                conn.execute(
                    _ID_CHECKED,
                    {"p_source": self.source, "p_stream": stream, "p_at": id_checked_at},
                )
            conn.execute(
                _FINISH,
                {"p_run": self.run_id, "p_stream": stream}
                | {f"p_{name}": value for name, value in values.items()},
            )
            if then is not None:
                conn.execute(_START, self._running(then))
        self._opened = then

    def _running(self, stream: str) -> dict[str, Any]:
        return {"run_id": self.run_id, "stream": stream, "status": "running"}

    def record_stream(
        self,
        stream: str,
        status: str,
        counts: PageCounts,
        api_calls: int = 0,
        seconds: float = 0.0,
        error: str | None = None,
    ) -> None:
        """Write the row of a stream this run did not sync itself (rows another stream's
        pages carried) with its outcome, in one transaction: it is never ``running``.

        A running row would say the stream is being synced by this run; a worker that
        holds that stream's lock (``sync.workers.ledger``) would take it for the row of a
        dead run and close this live run as killed.
        """
        table = SYNC_RUN_STREAMS
        values = _outcome(status, counts, api_calls, seconds, error)
        with self.engine.begin() as conn:
            updated = conn.execute(
                update(table)
                .where(table.c.run_id == self.run_id, table.c.stream == stream)
                .values(**values)
            )
            if not updated.rowcount:
                conn.execute(insert(table).values(run_id=self.run_id, stream=stream, **values))

    def finish(self, status: str, finished_at: datetime, error: str | None = None) -> None:
        runs = SYNC_RUNS
        with self.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == self.run_id)
                .values(status=status, finished_at=finished_at, error=error)
            )


ABORTED_MESSAGE = "process ended without closing the run"
INTERRUPTED_MESSAGE = "interrupted (Ctrl-C); the next run resumes where this one stopped"


def close_running_runs(
    engine: Engine, source: str, now: datetime, status: str, stream_status: str, message: str
) -> list[int]:
    """Close ``source``'s runs still marked running with ``status``, and their running
    streams with ``stream_status``, both saying ``message``; the ids closed.

    Only for a caller holding the source's run lock: no live run of the source exists then,
    so a running one is a stopped run's (its process interrupted) or a dead process's."""
    runs, streams = SYNC_RUNS, SYNC_RUN_STREAMS
    with engine.begin() as conn:
        run_ids = list(
            conn.execute(
                select(runs.c.id).where(runs.c.source == source, runs.c.status == "running")
            ).scalars()
        )
        if run_ids:
            conn.execute(
                update(streams)
                .where(streams.c.run_id.in_(run_ids), streams.c.status == "running")
                .values(status=stream_status, error=message)
            )
            conn.execute(
                update(runs)
                .where(runs.c.id.in_(run_ids))
                .values(status=status, finished_at=now, error=message)
            )
    return [int(run_id) for run_id in run_ids]


def _outcome(
    status: str, counts: PageCounts, api_calls: int, seconds: float, error: str | None
) -> dict[str, Any]:
    return {
        "status": status,
        "fetched": counts.fetched,
        "inserted": counts.inserted,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
        "deleted_reported": counts.deleted_reported,
        "deleted_merged": counts.deleted_merged,
        "deleted_missing": counts.deleted_missing,
        "restored": counts.restored,
        "quarantined": counts.quarantined,
        "api_calls": api_calls,
        "seconds": round(seconds, 3),
        "error": error,
    }


def load_state(engine: Engine, source: str, stream: str) -> dict[str, Any] | None:
    table = SYNC_STATE
    with engine.connect() as conn:
        row = conn.execute(
            select(table.c.state).where(table.c.source == source, table.c.stream == stream)
        ).first()
    return dict(row[0]) if row is not None else None


@dataclass(frozen=True)
class SavedStream:
    """What the store keeps of a stream between runs: its state (None: never read) and
    when its ids were last compared with the CRM's."""

    state: dict[str, Any] | None = None
    last_id_check: datetime | None = None


def load_states(engine: Engine, source: str, streams: Sequence[str]) -> dict[str, SavedStream]:
    """What the store keeps of each of ``streams``, in one query for the whole run (a
    stream's row changes only as that stream's own pages commit)."""
    table = SYNC_STATE
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.stream, table.c.state, table.c.last_full_id_check_at).where(
                table.c.source == source, table.c.stream.in_(list(streams))
            )
        ).all()
    saved = {
        str(stream): SavedStream(dict(state) if state is not None else None, checked)
        for stream, state, checked in rows
    }
    return {stream: saved.get(stream, SavedStream()) for stream in streams}


def id_check_is_due(last: datetime | None, now: datetime, every: timedelta) -> bool:
    return last is None or now - last >= every


_ID_CHECKED = (
    update(SYNC_STATE)
    .where(
        SYNC_STATE.c.source == bindparam("p_source"),
        SYNC_STATE.c.stream == bindparam("p_stream"),
    )
    .values(last_full_id_check_at=bindparam("p_at", type_=SYNC_STATE.c.last_full_id_check_at.type))
)

# Built once: a run writes two stream rows per stream, and building the statements each
# time (and their cache keys) costs more than executing them.
_START = insert(SYNC_RUN_STREAMS)
_FINISH = (
    update(SYNC_RUN_STREAMS)
    .where(
        SYNC_RUN_STREAMS.c.run_id == bindparam("p_run"),
        SYNC_RUN_STREAMS.c.stream == bindparam("p_stream"),
    )
    .values({name: bindparam(f"p_{name}") for name in _outcome("", PageCounts(), 0, 0.0, None)})
)
