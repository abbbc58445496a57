"""Reading one Zoho module incrementally: ``Modified_Time`` windows, page tokens, deletes.

A module's state is ``{"cursor", "deleted_cursor", fields...}``. Records are listed
``sort_by=Modified_Time asc`` with ``If-Modified-Since = cursor - lookback - 1 s``: Zoho's
bound is exclusive and its times have whole seconds, so the extra second makes it closed;
re-reads are harmless upserts. Paging uses ``page_token`` (``page`` stops at 2,000 rows);
before the 100,000-row page-token cap the query restarts from the last ``Modified_Time``.
Cursors never pass the signpost. Deletes come from ``/{module}/deleted?type=all``, newest
first, so their cursor only moves once the whole feed is read.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.core.errors import ConnectorFatalError
from connectors.zoho.http import ZohoHttp
from connectors.zoho.mapping import parse_time

__all__ = ["ModulePage", "ModuleReader", "ModuleWindow"]

_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class ModuleWindow:
    """What to read from one module in this run."""

    module: str
    fields: tuple[str, ...]
    cursor: datetime | None
    deleted_cursor: datetime | None
    lookback: timedelta
    signpost: datetime
    read_deletes: bool
    extra_params: tuple[tuple[str, str], ...] = ()


@dataclass
class ModulePage:
    """Rows or deleted ids of one call, and the module cursors valid after it."""

    rows: list[dict[str, Any]]
    deleted_ids: list[str]
    cursor: datetime | None
    deleted_cursor: datetime | None


def _header(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


class ModuleReader:
    """Walks one module's changes as ``ModulePage``s."""

    def __init__(self, http: ZohoHttp, page_size: int, page_token_records: int) -> None:
        self.http = http
        self.page_size = page_size
        self.page_token_records = page_token_records

    def read(self, window: ModuleWindow) -> Iterator[ModulePage]:
        cursor = window.cursor
        since = cursor - window.lookback - _SECOND if cursor is not None else None
        for rows, page_max in self._records(window, since):
            if page_max is not None:
                top = page_max if cursor is None else max(cursor, page_max)
                cursor = min(top, window.signpost)
            yield ModulePage(rows, [], cursor, window.deleted_cursor)
        # the whole window is read: everything changed up to the signpost is in
        cursor = window.signpost if cursor is None else max(cursor, window.signpost)
        if not window.read_deletes:
            yield ModulePage([], [], cursor, window.signpost)
            return
        yield from self._deletes(window, cursor)

    def list_ids(self, module: str, field: str, params: dict[str, str]) -> Iterator[str]:
        window = ModuleWindow(
            module, (field,), None, None, timedelta(0), datetime.max, False, tuple(params.items())
        )
        for rows, _ in self._records(window, None, sort_by="id"):
            for row in rows:
                yield str(row["id"])

    # -- records -----------------------------------------------------------------------

    def _records(
        self, window: ModuleWindow, since: datetime | None, sort_by: str = "Modified_Time"
    ) -> Iterator[tuple[list[dict[str, Any]], datetime | None]]:
        params: dict[str, Any] = {
            "fields": ",".join(window.fields),
            "per_page": self.page_size,
            "sort_by": sort_by,
            "sort_order": "asc",
            **dict(window.extra_params),
        }
        seen_tail: dict[
            str, tuple[str, datetime]
        ] = {}  # ids yielded at the last seconds, for restarts
        while True:
            restart_at = yield from self._one_query(window.module, params, since, seen_tail)
            if restart_at is None:
                return
            new_since = restart_at - _SECOND
            if since is not None and new_since <= since:
                raise ConnectorFatalError(
                    f"more than {self.page_token_records} {window.module} records share one "
                    "Modified_Time second: Zoho's page-token cap cannot be crossed",
                    source=self.http.source,
                )
            since = new_since

    def _one_query(
        self,
        module: str,
        params: dict[str, Any],
        since: datetime | None,
        seen_tail: dict[str, tuple[str, datetime]],
    ) -> Generator[tuple[list[dict[str, Any]], datetime | None], None, datetime | None]:
        """One list query with page tokens; returns where to restart, or None when done."""
        headers = {"If-Modified-Since": _header(since)} if since is not None else None
        token: str | None = None
        read = 0
        while True:
            query = dict(params, page_token=token) if token else params
            response = self.http.api("GET", f"/{module}", params=query, headers=headers)
            body = response.body or {}
            rows: list[dict[str, Any]] = body.get("data") or []
            info = body.get("info") or {}
            if seen_tail:
                rows = [r for r in rows if _stamp(seen_tail, r["id"]) != r.get("Modified_Time")]
            page_max = _remember_tail(rows, seen_tail)
            read += len(rows)
            if rows:
                yield rows, page_max
            token = info.get("next_page_token")
            if not info.get("more_records") or not token:
                return None
            if read + self.page_size > self.page_token_records and page_max is not None:
                return page_max

    # -- deletes -----------------------------------------------------------------------

    def _deletes(self, window: ModuleWindow, cursor: datetime) -> Iterator[ModulePage]:
        since = window.deleted_cursor
        headers = (
            {"If-Modified-Since": _header(since - window.lookback - _SECOND)}
            if since is not None
            else None
        )
        page = 1
        newest = window.deleted_cursor
        while True:
            params = {"type": "all", "per_page": self.page_size, "page": page}
            response = self.http.api(
                "GET", f"/{window.module}/deleted", params=params, headers=headers
            )
            body = response.body or {}
            rows = body.get("data") or []
            for row in rows:
                when = parse_time(row.get("deleted_time"))
                if when is not None and (newest is None or when > newest):
                    newest = when
            more = bool((body.get("info") or {}).get("more_records")) and bool(rows)
            if not more:
                # all deletes up to the signpost are in: the cursor may move there
                yield ModulePage([], [str(r["id"]) for r in rows], cursor, window.signpost)
                return
            yield ModulePage([], [str(r["id"]) for r in rows], cursor, window.deleted_cursor)
            page += 1


def _remember_tail(
    rows: list[dict[str, Any]], tail: dict[str, tuple[str, datetime]]
) -> datetime | None:
    """Track ids of the two newest seconds (a restart re-reads them); the page's max."""
    if not rows:
        return None
    last = parse_time(rows[-1].get("Modified_Time"))
    if last is None:
        return None
    floor = last - _SECOND
    for key in [k for k, (_, when) in tail.items() if when < floor]:
        del tail[key]
    for row in reversed(rows):  # ascending order: stop at the first older row
        stamp = row.get("Modified_Time")
        when = parse_time(stamp)
        if when is None or when < floor:
            break
        tail[row["id"]] = (stamp, when)
    return last


def _stamp(tail: dict[str, tuple[str, datetime]], rid: str) -> str | None:
    seen = tail.get(rid)
    return seen[0] if seen else None
