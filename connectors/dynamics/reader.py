"""Reading one table: change tracking (a full read, then delta reads), or a ``modifiedon``
window for a table whose change tracking is off.

Change tracking: a full read asks for ``Prefer: odata.track-changes, odata.maxpagesize=N``
and follows ``@odata.nextLink``; its last page carries ``@odata.deltaLink``, which becomes
the table's cursor. Each later read follows the delta link: rows created or changed since,
and rows deleted since (``$deletedEntity``), paged the same way, ending with the next delta
link. After every page the state holds where to go on (the next link, or the delta link
once a read is done), so a killed run resumes at the page it lost. A delta token older than
the environment's change retention (``DeltaExpired``) starts a full read (``restarted``);
the rows deleted meanwhile are then found by the engine's missed-delete check under its
delete guard (``list_ids`` answers from the ids this full read saw).

Window (``window.py``): used when the table's metadata says change tracking is off, or
when a tracked first read ends without a delta link (the service did not apply the
preference).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.dynamics.entities import TableRead
from connectors.dynamics.http import DeltaExpired, DynamicsHttp, DynamicsResponse
from connectors.dynamics.window import WindowReader

__all__ = ["TablePage", "TableReader"]

DELETED = "/$deletedEntity"
ANNOTATIONS = (
    'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname,'
    'OData.Community.Display.V1.FormattedValue"'
)


@dataclass
class TablePage:
    rows: list[dict[str, Any]]
    deleted_ids: list[str]
    state: dict[str, Any]
    restarted: bool = False


class TableReader:
    def __init__(self, http: DynamicsHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size
        self.window = WindowReader(http, page_size, self.headers(tracking=False))

    def headers(self, tracking: bool) -> dict[str, str]:
        prefer = [f"odata.maxpagesize={self.page_size}", ANNOTATIONS]
        if tracking:
            prefer.insert(0, "odata.track-changes")
        return {"Prefer": ",".join(prefer)}

    def first_link(self, state: dict[str, Any] | None, select: str, full: bool) -> str | None:
        """The link a tracked read of this state starts from (None: a fresh full read)."""
        saved = dict(state or {})
        if full or saved.get("select") != select:
            return None
        link = saved.get("next") or saved.get("delta")
        return str(link) if link else None

    def windowed(
        self, state: dict[str, Any] | None, select: str, full: bool, tracked: bool
    ) -> bool:
        """Whether this read is a ``modifiedon`` window (not change tracking)."""
        saved = state or {}
        return not tracked or (saved.get("select") == select and not full and "window" in saved)

    def read(
        self,
        table: TableRead,
        select: str,
        state: dict[str, Any] | None,
        full: bool,
        *,
        tracked: bool = True,
        lookback: timedelta = timedelta(minutes=10),
        signpost: datetime | None = None,
        first: DynamicsResponse | None = None,
    ) -> Iterator[TablePage]:
        """Pages from ``state`` on; ``first`` is the answer to the first link, fetched
        ahead (in a ``$batch`` with other tables')."""
        saved = dict(state or {})
        same = saved.get("select") == select and not full
        if self.windowed(saved, select, full, tracked):
            window = saved.get("window") if same else None
            for part in self.window.read(table, select, window, lookback, signpost):
                yield TablePage(part.rows, [], {"window": part.state, "select": select})
            return
        link = self.first_link(saved, select, full)
        try:
            yield from self._follow(table, select, link, first, signpost)
        except DeltaExpired:
            if not saved.get("delta") or saved.get("next"):
                raise
            for page in self._follow(table, select, None, None, signpost):
                page.restarted = True
                yield page

    def _follow(
        self,
        table: TableRead,
        select: str,
        link: str | None,
        first: DynamicsResponse | None,
        signpost: datetime | None,
    ) -> Iterator[TablePage]:
        headers = self.headers(tracking=True)
        if first is not None:
            response = first
        elif link is None:
            response = self.http.call(
                "GET", table.entity_set, params={"$select": select}, headers=headers
            )
        else:
            response = self.http.call("GET", link, headers=headers)
        while True:
            body = response.body or {}
            rows, deleted = [], []
            for item in body.get("value", []):
                if str(item.get("@odata.context", "")).endswith(DELETED):
                    deleted.append(str(item["id"]))
                else:
                    rows.append(item)
            following = body.get("@odata.nextLink")
            if following:
                state = {"next": following, "select": select}
            elif body.get("@odata.deltaLink"):
                state = {"delta": body["@odata.deltaLink"], "select": select}
            else:  # tracking not applied: later runs read a modifiedon window
                state = {"window": self.window.done(signpost), "select": select}
            yield TablePage(rows, deleted, state)
            if not following:
                return
            response = self.http.call("GET", following, headers=headers)

    def list_ids(self, table: TableRead) -> Iterator[str]:
        """Every live id of the table (one column, no change tracking)."""
        headers = self.headers(tracking=False)
        response = self.http.call(
            "GET", table.entity_set, params={"$select": table.id_field}, headers=headers
        )
        while True:
            body = response.body or {}
            yield from (str(r[table.id_field]) for r in body.get("value", []))
            following = body.get("@odata.nextLink")
            if not following:
                return
            response = self.http.call("GET", following, headers=headers)
