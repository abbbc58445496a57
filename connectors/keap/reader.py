"""Reading Keap's lists with offset paging, incrementally where Keap can.

Contacts, tasks, appointments and orders take ``since`` and ``until`` on ``last_updated``
in REST v1: an incremental read asks for the window from ``lookback`` before the saved
cursor up to the run's signpost, ordered by id (a full read has no end: it must see every
live record). Users, companies, opportunities and
notes take no date filter in v1: they are read whole on every run (they are the small
objects of a Keap account; the sync writes only what changed).

Offset paging over a window shifts when a record leaves it mid-read (changed after the
signpost, or deleted): every record after it moves up one place and one would be
skipped. Each answer's ``count`` tells: when the window holds fewer records at the last
page than at the first, the window is read again from the start (the records already
written are upserted again, unchanged). A record created mid-read has a later
``last_updated`` and a higher id, so it only ever lands after the window.

The state after each page resumes the same window at the next offset; after the last,
it holds the cursor the next run starts from. Keap reports no deletes: the engine's id
comparison (``full_id_check_every``) finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.keap.http import KeapHttp
from connectors.keap.mapping import updated_at

__all__ = ["DATED", "ObjectReader", "Part", "keap_time"]

DATED = frozenset({"contacts", "tasks", "appointments", "orders"})
# a window read again this many times without settling is taken as it is: the next
# incremental run reads it again from its lookback
_REREADS = 3


@dataclass
class Part:
    rows: list[dict[str, Any]]
    state: dict[str, Any]


def keap_time(when: datetime) -> str:
    """A timestamp as Keap's filters take it (UTC, milliseconds, ``Z``)."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


class ObjectReader:
    def __init__(self, http: KeapHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size

    def read(
        self,
        obj: str,
        state: dict[str, Any] | None,
        full: bool,
        lookback: timedelta,
        signpost: datetime | None,
    ) -> Iterator[Part]:
        """Pages of rows after ``state``; each part's state resumes right after it."""
        saved = dict(state or {})
        window = saved.get("window") or []
        # A full read goes on only from an interrupted full read (a window with no ends);
        # an interrupted incremental window would leave records out of it.
        if full and (not window or any(window[:2])):
            saved = {}
        cursor = saved.get("cursor")
        if saved.get("window"):  # an interrupted read: the same window, from where it was
            since, until, stop = (*saved["window"], None)[:3]
            offset, first = int(saved.get("offset") or 0), saved.get("count")
        else:
            dated = obj in DATED
            since = None
            if dated and not full and cursor:
                since = keap_time(datetime.fromisoformat(cursor) - lookback)
            # A full read takes what changed after the signpost too: the engine judges
            # deletes by what a full read saw, so no live record may be left out of it.
            until = keap_time(signpost) if dated and signpost is not None and not full else None
            offset, first = 0, None
            # where the next run starts: this run's signpost, also after a full read
            stop = keap_time(signpost) if dated and signpost is not None else None
        newest: datetime | None = None
        rereads = 0
        while True:
            params: dict[str, Any] = {
                "limit": self.page_size,
                "offset": offset,
                "order": "id",
                "order_direction": "ASCENDING",
            }
            if since:
                params["since"] = since
            if until:
                params["until"] = until
            if obj == "contacts":
                params["optional_properties"] = "custom_fields"
            answer = self.http.call("GET", obj, params=params) or {}
            rows = list(answer.get(obj) or [])
            count = int(answer.get("count") or 0)
            first = count if first is None else first
            offset += len(rows)
            for row in rows:
                stamp = updated_at(row)
                newest = stamp if stamp and (newest is None or stamp > newest) else newest
            if rows and offset < count and len(rows) == self.page_size:
                window = [since, until, stop]
                yield Part(
                    rows, {"cursor": cursor, "window": window, "offset": offset, "count": first}
                )
                continue
            if count < first and rereads < _REREADS:  # the window shrank mid-read
                rereads += 1
                offset, first = 0, None
                yield Part(rows, {"cursor": cursor, "window": [since, until, stop], "offset": 0})
                continue
            yield Part(rows, {"cursor": self._next_cursor(obj, cursor, stop, newest)})
            return

    @staticmethod
    def _next_cursor(
        obj: str, cursor: str | None, until: str | None, newest: datetime | None
    ) -> str | None:
        if obj not in DATED:
            return None
        if until is not None:
            return datetime.fromisoformat(until.replace("Z", "+00:00")).isoformat()
        if newest is not None and (cursor is None or newest > datetime.fromisoformat(cursor)):
            return newest.isoformat()
        return cursor
