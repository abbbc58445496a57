"""The audit's default date: the data's time, on the CRMs' clock.

The host clock and the CRMs' clock can disagree (a sandbox, a store copied elsewhere, a
sync that ran days ago); rules such as "no activity for 30 days" must be judged on the
time the data describes. That is the newest of:

- the streams' sync cursors: each connector keeps, per stream, a ``cursor`` (and Zoho a
  ``deleted_cursor``) that never passes the run's signpost, the CRM's own time taken
  before reading; a stream read to its end moves it to the signpost (Salesforce, Zoho,
  and HubSpot types with no change to read), so it says "everything up to here is in"
  even when nothing changed for days before the sync;
- the newest modification (or creation) time a CRM stamped on a record the store holds,
  for stores whose cursors are unreadable or missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from sync.store.bookkeeping import StreamStateRow
from sync.store.records import TABLES
from sync.store.table_model import table_of

__all__ = ["cursor_time", "data_time"]

_RECORDS = ("lead", "contact", "account", "deal", "deal_contact", "activity", "case")
_CURSOR_KEYS = ("cursor", "deleted_cursor")
# epoch milliseconds (HubSpot) are told from other numbers by size: after 2001-09-09
_MIN_EPOCH_MS = 1_000_000_000_000


def data_time(engine: Engine) -> datetime | None:
    """The newest sync cursor or CRM-stamped change in the store; ``None`` when empty."""
    found = [t for t in (cursor_time(engine), _newest_stamp(engine)) if t is not None]
    return max(found) if found else None


def cursor_time(engine: Engine) -> datetime | None:
    """The newest cursor any stream of any source saved; ``None`` when there is none."""
    table = table_of(StreamStateRow)
    with engine.connect() as connection:
        states = connection.execute(select(table.c.state)).scalars().all()
    times = [t for state in states for t in _cursors(state)]
    return max(times) if times else None


def _cursors(node: Any) -> Iterator[datetime]:
    """Every cursor time in a stream's state, however the connector nests it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _CURSOR_KEYS:
                when = _as_time(value)
                if when is not None:
                    yield when
            elif isinstance(value, dict):
                yield from _cursors(value)


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= _MIN_EPOCH_MS:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None  # an opaque paging token, not a time
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _newest_stamp(engine: Engine) -> datetime | None:
    newest: datetime | None = None
    with engine.connect() as connection:
        for key in _RECORDS:
            table = table_of(TABLES[key])
            for column in (table.c.remote_updated_at, table.c.remote_created_at):
                found = connection.execute(select(func.max(column))).scalar()
                if found is not None:
                    found = found if found.tzinfo else found.replace(tzinfo=UTC)
                    newest = found if newest is None or found > newest else newest
    return newest
