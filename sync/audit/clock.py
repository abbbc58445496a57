"""The audit's default date: the data's time, on the CRMs' clock.

The host clock and the CRMs' clock can disagree (a sandbox, a store copied elsewhere, a
sync that ran days ago); rules such as "no activity for 30 days" must be judged on the
time the data describes. That is the newest modification time a CRM stamped on a record
the store holds: the CRM's own clock at the last change the sync saw, never later than
the sync's signpost.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from sync.store.records import TABLES

__all__ = ["data_time"]

_RECORDS = ("lead", "contact", "account", "deal", "deal_contact", "activity", "case")


def data_time(engine: Engine) -> datetime | None:
    """The newest CRM modification (or creation) time in the store; ``None`` when empty."""
    newest: datetime | None = None
    with engine.connect() as connection:
        for key in _RECORDS:
            table = TABLES[key].__table__  # type: ignore[attr-defined]
            for column in (table.c.remote_updated_at, table.c.remote_created_at):
                found = connection.execute(select(func.max(column))).scalar()
                if found is not None:
                    found = found if found.tzinfo else found.replace(tzinfo=UTC)
                    newest = found if newest is None or found > newest else newest
    return newest
