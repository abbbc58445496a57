"""Reads and writes of the push bookkeeping tables (runs, last written values, results)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from sync.store.pushback import PushFieldRow, PushResultRow, PushRunRow, PushStateRow
from sync.store.table_model import table_of

__all__ = ["finish_run", "save_api_names", "save_results", "save_state", "start_run"]

_RUNS = table_of(PushRunRow)
_STATE = table_of(PushStateRow)
_RESULTS = table_of(PushResultRow)
_FIELDS = table_of(PushFieldRow)


def start_run(engine: Engine, now: datetime, dry_run: bool) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            insert(_RUNS).values(started_at=now, dry_run=dry_run, status="running", summary={})
        )
        key = result.inserted_primary_key
        assert key is not None  # a one-row INSERT always has its key
        return int(key[0])


def finish_run(engine: Engine, run_id: int, now: datetime, status: str, summary: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(_RUNS)
            .where(_RUNS.c.id == run_id)
            .values(finished_at=now, status=status, summary=summary)
        )


def save_state(
    conn: Connection,
    source: str,
    obj: str,
    values: Mapping[str, Mapping[str, str | None]],
    now: datetime,
    run_id: int,
) -> None:
    """Record ``values`` (remote id -> {field: value}) as successfully written."""
    if not values:
        return
    ids = sorted(values)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        by_field: dict[str, list[str]] = {}
        for rid in chunk:
            for field in values[rid]:
                by_field.setdefault(field, []).append(rid)
        for field, rids in sorted(by_field.items()):
            conn.execute(
                delete(_STATE).where(
                    _STATE.c.source == source,
                    _STATE.c.object == obj,
                    _STATE.c.field == field,
                    _STATE.c.remote_id.in_(rids),
                )
            )
        conn.execute(
            insert(_STATE),
            [
                {
                    "source": source,
                    "object": obj,
                    "remote_id": rid,
                    "field": field,
                    "value": value,
                    "pushed_at": now,
                    "run_id": run_id,
                }
                for rid in chunk
                for field, value in sorted(values[rid].items())
            ],
        )


def save_results(conn: Connection, run_id: int, rows: Iterable[dict[str, Any]]) -> None:
    batch = [{"run_id": run_id, "attempts": 0, "error": None, "detail": {}, **r} for r in rows]
    for start in range(0, len(batch), 1000):
        conn.execute(insert(_RESULTS), batch[start : start + 1000])


def save_api_names(conn: Connection, source: str, obj: str, names: Mapping[str, str]) -> None:
    for field, api_name in sorted(names.items()):
        found = conn.execute(
            select(_FIELDS.c.api_name).where(
                _FIELDS.c.source == source, _FIELDS.c.object == obj, _FIELDS.c.field == field
            )
        ).first()
        if found is None:
            conn.execute(
                insert(_FIELDS).values(source=source, object=obj, field=field, api_name=api_name)
            )
        elif found[0] != api_name:
            conn.execute(
                update(_FIELDS)
                .where(
                    _FIELDS.c.source == source, _FIELDS.c.object == obj, _FIELDS.c.field == field
                )
                .values(api_name=api_name)
            )
