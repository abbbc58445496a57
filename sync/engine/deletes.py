"""Catch deletes that incremental reads missed, guarded against partial reads.

The CRM's full id list is compared with the store's live ids. A partial read looks exactly
like a mass delete, so more than the source's ``delete_guard_share`` (5% by default) of a
stream is never marked deleted in one run without ``--force``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine, select, update

from connectors.core.contract import StreamInfo
from sync.store.changes import next_change
from sync.store.records import TABLES

__all__ = ["check_missed_deletes"]


def check_missed_deletes(
    engine: Engine,
    source: str,
    info: StreamInfo,
    remote_ids: Iterable[str],
    guard_share: float,
    force: bool,
    run_id: int | None,
    now: datetime,
    dry_run: bool = False,
) -> tuple[int, str | None]:
    """Mark store rows the CRM no longer has. Returns (marked, refusal message or None)."""
    table = TABLES[info.record_type].__table__  # type: ignore[attr-defined]
    remote = set(remote_ids)
    with engine.connect() as conn:
        live = {
            row[0]
            for row in conn.execute(
                select(table.c.remote_id).where(
                    table.c.source == source, table.c.is_deleted.is_(False)
                )
            )
        }
    missing = sorted(live - remote)
    if not missing:
        return 0, None
    if len(missing) > guard_share * len(live) and not force:
        share = len(missing) / len(live)
        return 0, (
            f"refused to mark {len(missing)} of {len(live)} {info.name} deleted "
            f"({share:.1%} > the {guard_share:.0%} guard): a partial read looks like a "
            "mass delete; re-run with --force if they really were deleted"
        )
    if dry_run:
        return len(missing), None
    with engine.begin() as conn:
        change = next_change(conn)
        for start in range(0, len(missing), 500):
            conn.execute(
                update(table)
                .where(
                    table.c.source == source, table.c.remote_id.in_(missing[start : start + 500])
                )
                .values(
                    is_deleted=True,
                    deleted_detected_at=now,
                    deleted_by_run_id=run_id,
                    synced_at=now,
                    last_run_id=run_id,
                    change_seq=change,
                )
            )
    return len(missing), None
