"""Where one object's read stands, and the SOQL and delete-log requests that go on from it.

An object is read as ``WHERE (SystemModstamp > ts OR (SystemModstamp = ts AND Id > id))
AND SystemModstamp <= signpost ORDER BY SystemModstamp, Id``. A finished read leaves the
cursor at the run's signpost (every row stamped up to it was read); the next run starts
``lookback`` behind it for late commits. The delete log is asked at most every
``hard_delete_check_every``, from the last check (less the lookback) to the signpost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from connectors.salesforce.describe import ObjectFields

__all__ = ["DELETE_LOG_REACH", "Window", "deleted_url", "query_url", "soql_datetime"]

# the delete log reaches back about 15 days; older gaps are the id check's job
DELETE_LOG_REACH = timedelta(days=14)


def soql_datetime(value: datetime) -> str:
    """A SOQL datetime literal (unquoted, UTC, milliseconds)."""
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _when(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def query_url(soql: str) -> str:
    """The ``queryAll`` URL of a query, relative to the API version."""
    return f"queryAll/?q={quote(soql, safe='')}"


def deleted_url(obj: str, start: datetime, end: datetime) -> str:
    """The delete-log URL of an object, relative to the API version (as simple-salesforce)."""
    from simple_salesforce.util import date_to_iso8601  # loaded on use (start-up time)

    return f"sobjects/{obj}/deleted/?start={date_to_iso8601(start)}&end={date_to_iso8601(end)}"


@dataclass
class Window:
    """One object's keyset after its last committed row, and the run's bounds."""

    cursor: datetime | None  # every row stamped at or before it was read by a finished run
    since: datetime | None  # lower bound of this run (None: from the beginning)
    ts: datetime | None
    id: str
    deletes_at: datetime | None = None  # signpost of the last delete-log check
    resumed: bool = False  # goes on after a row of an unfinished run

    @classmethod
    def from_state(cls, saved: Mapping[str, Any] | None, lookback: timedelta) -> Window:
        if not saved:
            return cls(None, None, None, "")
        cursor, deletes_at = _when(saved.get("cursor")), _when(saved.get("deletes_at"))
        if saved.get("done", True):
            since = None if cursor is None else cursor - lookback
            return cls(cursor, since, since, "", deletes_at)
        since, ts = _when(saved.get("since")), _when(saved.get("ts"))
        return cls(cursor, since, ts or since, str(saved.get("id") or ""), deletes_at, True)

    def like(self) -> Window:
        """A fresh window from the same finished state (a guess for a sibling object)."""
        return Window(self.cursor, self.since, self.since, "", self.deletes_at)

    def to_state(self, done: bool) -> dict[str, Any]:
        return {
            "cursor": _iso(self.cursor),
            "since": _iso(self.since),
            "ts": _iso(self.ts),
            "id": self.id,
            "done": done,
            "deletes_at": _iso(self.deletes_at),
        }

    def soql(self, fields: ObjectFields, signpost: datetime) -> str:
        conditions = []
        if self.ts is not None:
            ts = soql_datetime(self.ts)
            if self.id:
                conditions.append(
                    f"(SystemModstamp > {ts} OR (SystemModstamp = {ts} AND Id > '{self.id}'))"
                )
            else:
                conditions.append(f"SystemModstamp >= {ts}")
        conditions.append(f"SystemModstamp <= {soql_datetime(signpost)}")
        return (
            f"SELECT {', '.join(fields.select)} FROM {fields.object_name} "
            f"WHERE {' AND '.join(conditions)} ORDER BY SystemModstamp, Id"
        )

    def deletes_start(
        self, signpost: datetime, every: timedelta, lookback: timedelta
    ) -> datetime | None:
        """Where this run's delete-log request starts, or ``None`` when none is due."""
        if self.since is None:
            return None  # a full read: purged rows are simply not there
        last = self.deletes_at
        if last is not None and signpost - last < every:
            return None
        start = self.since if last is None else min(self.since, last - lookback)
        start = max(start, signpost - DELETE_LOG_REACH)
        return start if start < signpost else None
