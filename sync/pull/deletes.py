"""Catch deletes that incremental reads missed, and records that came back.

The CRM's full id list is compared with the store: live rows it no longer has are marked
deleted (a partial read looks exactly like a mass delete, so the run's ``DeleteGuard``
decides), and rows marked deleted that it has again are restored. A stream whose ids
carry a prefix (a mapped custom object sharing its kind's table) compares only its own
rows; the other streams of that table leave those rows alone.

A row of a deal (a contact role, product line or split) whose deal the store already
marked deleted goes with its deal: the deal's delete was weighed by the guard, so its
rows do not count against it again (a CRM that removes a deal's rows with the deal, and
lists no deletes, would otherwise make every few deleted deals look like a mass delete).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, select, update

from connectors.core.contract import StreamInfo
from sync.pull.guard import DeleteGuard
from sync.store.changes import next_change
from sync.store.core_tables import RECORD_TABLES
from sync.store.pages import PageCounts, mark_deleted

__all__ = ["check_missed_deletes"]

_CHUNK = 500
_DEAL_ROWS = ("deal_contact", "deal_product", "deal_split")  # rows that go with their deal


def check_missed_deletes(
    engine: Engine,
    source: str,
    info: StreamInfo,
    remote_ids: Iterable[str],
    guard: DeleteGuard,
    run_id: int | None,
    now: datetime,
    dry_run: bool = False,
    other_prefixes: tuple[str, ...] = (),
) -> tuple[PageCounts, str | None]:
    """Mark store rows the CRM no longer has, restore those it has again.

    Only rows of this stream are compared: with ``info.id_prefix`` those whose remote id
    starts with it, otherwise those whose id starts with none of ``other_prefixes`` (the
    prefixed streams of the same table). Returns the counts (``deleted_missing``,
    ``restored``) and the guard's refusal or None.
    """
    table = RECORD_TABLES[info.record_type]
    remote = set(remote_ids)
    with engine.connect() as conn:
        stored = {
            row.remote_id: bool(row.is_deleted)
            for row in conn.execute(
                select(table.c.remote_id, table.c.is_deleted).where(table.c.source == source)
            )
            if _ours(row.remote_id, info.id_prefix, other_prefixes)
        }
    missing = sorted(rid for rid, deleted in stored.items() if not deleted and rid not in remote)
    back = sorted(rid for rid, deleted in stored.items() if deleted and rid in remote)
    counts = PageCounts(restored=len(back))
    with_deal = _of_deleted_deals(engine, info.record_type, source, missing)
    refusal = guard.refusal(
        info.record_type,
        info.name,
        len(missing) - len(with_deal),
        "a partial read looks like a mass delete",
        info.id_prefix,
    )
    if refusal is None:
        counts.deleted = counts.deleted_missing = len(missing)
    if dry_run:
        guard.note(info.record_type, counts, info.id_prefix)
        return counts, refusal
    with engine.begin() as conn:
        change = next_change(conn)
        if refusal is None:
            mark_deleted(conn, table, source, missing, run_id, now, change)
        for start in range(0, len(back), _CHUNK):
            chunk = back[start : start + _CHUNK]
            conn.execute(
                update(table)
                .where(table.c.source == source, table.c.remote_id.in_(chunk))
                .values(
                    is_deleted=False,
                    remote_deleted_at=None,
                    deleted_detected_at=None,
                    deleted_by_run_id=None,
                    synced_at=now,
                    last_run_id=run_id,
                    change_seq=change,
                )
            )
    guard.note(info.record_type, counts, info.id_prefix)
    return counts, refusal


def _of_deleted_deals(engine: Engine, kind: str, source: str, missing: list[str]) -> set[str]:
    """The ``missing`` rows of a deal's rows' kind whose deal is marked deleted."""
    if kind not in _DEAL_ROWS or not missing:
        return set()
    table, deals = RECORD_TABLES[kind], RECORD_TABLES["deal"]
    wanted = set(missing)
    with engine.connect() as conn:
        gone = {
            row.remote_id
            for row in conn.execute(
                select(deals.c.remote_id).where(
                    deals.c.source == source, deals.c.is_deleted.is_(True)
                )
            )
        }
        rows = conn.execute(
            select(table.c.remote_id, table.c.deal_id).where(table.c.source == source)
        )
        return {row.remote_id for row in rows if row.remote_id in wanted and row.deal_id in gone}


def _ours(remote_id: str, prefix: str | None, others: tuple[str, ...]) -> bool:
    if prefix is not None:
        return remote_id.startswith(prefix)
    return not others or not remote_id.startswith(others)
