"""The audit's default date is the data's time (the CRMs' clock), not the host's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from sync.audit.clock import data_time
from sync.store import open_store
from sync.store.bookkeeping import StreamStateRow
from sync.store.records import ActivityRow, DealRow

SYNCED = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # the host clock when the sync ran


def _bookkeeping(remote_id: str, created: datetime, updated: datetime) -> dict[str, object]:
    return {
        "source": "salesforce",
        "remote_id": remote_id,
        "remote_created_at": created,
        "remote_updated_at": updated,
        "content_hash": remote_id,
        "first_seen_at": SYNCED,
        "synced_at": SYNCED,
    }


def test_the_data_time_is_the_newest_change_the_crms_stamped(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert data_time(engine) is None
    with Session(engine) as session:
        session.add(
            DealRow(
                **_bookkeeping(
                    "D1",
                    datetime(2026, 9, 1, tzinfo=UTC),
                    datetime(2026, 10, 29, 8, 0, tzinfo=UTC),
                ),
                owner_id="U1",
            )
        )
        session.add(
            ActivityRow(
                **_bookkeeping(
                    "A1",
                    datetime(2026, 10, 30, 21, 1, 31, tzinfo=UTC),
                    datetime(2026, 10, 30, 21, 1, 31, tzinfo=UTC),
                ),
                activity_type="call",
                owner_id="U1",
                # a meeting booked ahead: when it happens is no clock of the data
                occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
                deal_id="D1",
            )
        )
        session.commit()
    # newest of 2026-10-29 08:00 (deal modified) and 2026-10-30 21:01:31 (call logged);
    # neither the host's sync time (12-04) nor the meeting's date (11-20)
    assert data_time(engine) == datetime(2026, 10, 30, 21, 1, 31, tzinfo=UTC)
    engine.dispose()


def test_the_data_time_is_the_newest_sync_cursor_when_nothing_changed_since(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    last_change = datetime(2026, 10, 29, 8, 0, tzinfo=UTC)
    states = {
        # Salesforce: a finished window sits at the run's signpost (ISO)
        ("salesforce", "deals"): {
            "Opportunity": {
                "cursor": "2026-10-30T12:00:00+00:00",
                "since": "2026-10-30T11:55:00+00:00",
                "id": "0065g00000AbCdEf",
                "done": True,
            }
        },
        # HubSpot: epoch milliseconds, 2026-10-31T06:00:00Z; the merges mark is no cursor
        ("hubspot", "deals"): {
            "objects": {"deals": {"cursor": 1793426400000}},
            "merges": {"since": 1893456000000},
        },
        # Zoho: module cursors next to field lists; an unfinished run's paging token
        ("zoho", "deals"): {
            "modules": {
                "Deals": {
                    "fields": ["Owner"],
                    "cursor": "2026-10-30T23:00:00+00:00",
                    "deleted_cursor": "2026-10-30T23:00:00+00:00",
                    "run": {"page_token": "not-a-time"},
                }
            }
        },
    }
    with Session(engine) as session:
        session.add(DealRow(**_bookkeeping("D1", last_change, last_change), owner_id="U1"))
        for (source, stream), state in states.items():
            row = StreamStateRow(source=source, stream=stream, state=state, updated_at=SYNCED)
            session.add(row)
        session.commit()
    # the newest cursor (HubSpot's, 10-31 06:00), not the last change (10-29 08:00) nor the
    # host's sync time (12-04)
    assert data_time(engine) == datetime(2026, 10, 31, 6, 0, tzinfo=UTC)
    engine.dispose()
