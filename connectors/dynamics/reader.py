"""Reading one table: a full read that starts change tracking, then delta reads.

A full read asks for ``Prefer: odata.track-changes, odata.maxpagesize=N`` and follows
``@odata.nextLink``; its last page carries ``@odata.deltaLink``, which becomes the
table's cursor. Each later read follows the delta link: rows created or changed since,
and rows deleted since (``$deletedEntity``), paged the same way, ending with the next
delta link. After every page the state holds where to go on (the next link, or the delta
link once a read is done), so a killed run resumes at the page it lost. A delta token
older than the environment's change retention (``DeltaExpired``) starts a full read; the
rows deleted meanwhile are then found by the engine's missed-delete check (``list_ids``),
under its delete guard.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.dynamics.entities import TableRead
from connectors.dynamics.http import DeltaExpired, DynamicsHttp

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
    extra: dict[str, Any] = field(default_factory=dict)


class TableReader:
    def __init__(self, http: DynamicsHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size

    def headers(self, tracking: bool) -> dict[str, str]:
        prefer = [f"odata.maxpagesize={self.page_size}", ANNOTATIONS]
        if tracking:
            prefer.insert(0, "odata.track-changes")
        return {"Prefer": ",".join(prefer)}

    def read(
        self, table: TableRead, select: str, state: dict[str, Any] | None, full: bool
    ) -> Iterator[TablePage]:
        """Pages from ``state`` on (``{"next"|"delta": link, "select": ...}``)."""
        saved = dict(state or {})
        if full or saved.get("select") != select:
            saved = {}
        link = saved.get("next") or saved.get("delta")
        try:
            yield from self._follow(table, select, link)
        except DeltaExpired:
            if not saved.get("delta") or saved.get("next"):
                raise
            for page in self._follow(table, select, None):
                page.restarted = True
                yield page

    def _follow(self, table: TableRead, select: str, link: str | None) -> Iterator[TablePage]:
        headers = self.headers(tracking=True)
        if link is None:
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
            else:
                state = {"delta": body.get("@odata.deltaLink"), "select": select}
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
