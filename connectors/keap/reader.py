"""Reading Keap's lists with offset paging, incrementally where Keap can.

Contacts, tasks, appointments and orders take ``since`` and ``until`` on ``last_updated``
in REST v1: an incremental read asks for the window from ``lookback`` before the saved
cursor up to the run's signpost, ordered by id (a full read has no end: it must see every
live record). Companies and opportunities have no date filter in v1, so their incremental
reads use REST v2 (https://developer.infusionsoft.com/docs/restv2/, ``listCompanies`` and
``listOpportunities``): v2's companies take ``filter=since_time==…;until_time==…`` (both
inclusive), v2's opportunities take no date filter but ``order_by=update_time desc``, read
until a page reaches records older than the window. Both page with ``page_token``. Their
full reads use v2 as well (companies by id, opportunities by creation time), so that a
record has one shape, v2's, whichever read brought it: v1's differs (integer ids, other
names for the times), and a record read once each way would look changed. Users and notes
have no date filter in either version (v2 lists notes per contact only): they are read
whole every run (a few records, and the desk's notes).

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
# read incrementally through REST v2: the v2 list, and how it finds the window
V2_DATED = {"companies": "filter", "opportunities": "order"}
# v2 leaves these out unless asked (``fields``); the mapper reads v1's names or v2's
_V2_FIELDS = {
    "companies": "company_name,address,custom_fields,email_address,fax_number,phone_number,"
    "website,notes,update_time,create_time",
    "opportunities": "custom_fields,created_by,last_updated_by",  # status_id: legacy only
}
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
        if obj in V2_DATED and not full and cursor and signpost is not None:
            yield from self._read_v2(obj, cursor, lookback, signpost)
            return
        if obj in V2_DATED:  # a full read through v2 too: one shape of record either way
            yield from self._read_v2_whole(obj, saved, signpost)
            return
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
            stop = (
                keap_time(signpost) if (dated or obj in V2_DATED) and signpost is not None else None
            )
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
        if obj not in DATED and obj not in V2_DATED:
            return None
        if until is not None:
            return datetime.fromisoformat(until.replace("Z", "+00:00")).isoformat()
        if newest is not None and (cursor is None or newest > datetime.fromisoformat(cursor)):
            return newest.isoformat()
        return cursor

    def _read_v2_whole(
        self, obj: str, saved: dict[str, Any], signpost: datetime | None
    ) -> Iterator[Part]:
        """Every record of a REST v2 list, in an order no update moves (id, creation time);
        a killed read goes on from its last page token."""
        stop = keap_time(signpost) if signpost is not None else None
        order = "id asc" if V2_DATED[obj] == "filter" else "created_time asc"
        params = {"page_size": self.page_size, "fields": _V2_FIELDS[obj], "order_by": order}
        token = str(saved.get("page_token") or "") if saved.get("window") else ""
        cursor = saved.get("cursor")
        while True:
            answer = self.http.call("GET", f"v2/{obj}", params={**params, "page_token": token})
            rows = list((answer or {}).get(obj) or [])
            token = str((answer or {}).get("next_page_token") or "")
            if not token:
                yield Part(rows, {"cursor": self._next_cursor(obj, cursor, stop, None)})
                return
            yield Part(rows, {"cursor": cursor, "window": [None, None, stop], "page_token": token})

    def _read_v2(
        self, obj: str, cursor: str, lookback: timedelta, signpost: datetime
    ) -> Iterator[Part]:
        """An incremental read through a REST v2 list; the next cursor is the signpost. A
        part before the last keeps the old cursor: a killed read starts the window again."""
        since = datetime.fromisoformat(cursor) - lookback
        params: dict[str, Any] = {"page_size": self.page_size, "fields": _V2_FIELDS[obj]}
        if V2_DATED[obj] == "filter":
            window = f"since_time=={keap_time(since)};until_time=={keap_time(signpost)}"
            params.update(filter=window, order_by="id asc")
        else:  # newest first: stop at the first page that reaches back past the window
            params["order_by"] = "update_time desc"
        token = ""
        while True:
            answer = self.http.call("GET", f"v2/{obj}", params={**params, "page_token": token})
            rows = list((answer or {}).get(obj) or [])
            token = str((answer or {}).get("next_page_token") or "")
            if V2_DATED[obj] == "order":
                fresh = [r for r in rows if (updated_at(r) or since) >= since]
                token = token if len(fresh) == len(rows) else ""
                rows = fresh
            if not token:
                stop = keap_time(signpost).replace("Z", "+00:00")
                yield Part(rows, {"cursor": datetime.fromisoformat(stop).isoformat()})
                return
            yield Part(rows, {"cursor": cursor})
