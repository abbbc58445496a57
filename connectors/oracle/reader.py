"""Reading Fusion collections in keyset order, and the opportunities' child rows.

A collection is read with ``q`` on ``LastUpdateDate`` and ``orderBy=LastUpdateDate:asc,
<Id>:asc``: each page asks for the rows after the last one seen, ``(LastUpdateDate, Id)``
greater than the last pair, with ``offset`` 0. Offsets alone would skip a row whenever a
row already read is updated while the read goes on (it moves to the end and every later
row moves up one place). ``hasMore`` says whether another page follows. An incremental
read starts ``lookback`` before the saved cursor; a full read from the start. ``signpost``
caps a read below the time it began.

A custom object made in Application Composer (``…_c``) is read the same way on its ``Id``.

Fusion keeps no deleted-records list: a read never reports deletes. The pull finds
them by comparing every id (``ids``: only the id attribute, in id order) with the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.oracle.http import OracleHttp

__all__ = [
    "CHILDREN",
    "CHILD_IDS",
    "ID_FIELDS",
    "Part",
    "ResourceReader",
    "child_fields",
    "key_field",
    "stamp",
]

# an opportunity's child collections: stream -> (child, the attributes read); the team and
# sales credits (``deal_splits``, two children and a nested one) are in ``credits.py``
CHILDREN: dict[str, tuple[str, tuple[str, ...]]] = {
    "deal_contacts": (
        "OpportunityContact",
        ("OptyConId", "OptyId", "PartyId", "RoleCd", "PrimaryFlag"),
    ),
    "deal_products": (
        "ChildRevenue",
        (
            "RevnId",
            "OptyId",
            "InventoryItemId",
            "ItemNumber",
            "Description",
            "Quantity",
            "UnitPrice",
            "RevnAmount",
            "RevnAmountCurcyCode",
        ),
    ),
}
CHILD_IDS = {
    "OpportunityContact": "OptyConId",
    "ChildRevenue": "RevnId",
    "OpportunityResource": "OptyResourceId",
    "ChildSplitRevenue": "RevnId",
}
# a custom object's id attribute is ``Id`` (``key``)
ID_FIELDS = {
    "resourceUsers": "ResourcePartyId",
    "leads": "LeadId",
    "contacts": "PartyId",
    "accounts": "PartyId",
    "opportunities": "OptyId",
    "activities": "ActivityId",
    "serviceRequests": "SrId",
}


@dataclass
class Part:
    rows: list[dict[str, Any]]
    state: dict[str, Any]


def key_field(resource: str) -> str:
    """The id attribute of a resource (``Id`` for a custom object)."""
    return ID_FIELDS.get(resource, "Id")


def child_fields(child: str, names: tuple[str, ...]) -> str:
    """``fields`` for opportunities read for one child: their own keyset attributes and
    number (to page a long child collection), then the child's ``names``."""
    return f"OptyId,OptyNumber,LastUpdateDate;{child}:{','.join(names)}"


def stamp(when: datetime) -> str:
    """A time as ``q`` compares it: ISO 8601 to the millisecond, with its offset."""
    return when.isoformat(timespec="milliseconds")


class ResourceReader:
    def __init__(self, http: OracleHttp, page_size: int) -> None:
        self.http = http
        self.page_size = page_size

    def read(
        self,
        resource: str,
        state: dict[str, Any] | None,
        full: bool,
        lookback: timedelta,
        signpost: datetime | None,
        *,
        expand: str | None = None,
        fields: str | None = None,
    ) -> Iterator[Part]:
        """Pages of rows after ``state`` (``expand``: with that child collection)."""
        key = key_field(resource)
        incremental = not full and bool(state and state.get("cursor"))
        window: list[str] = []
        if incremental:
            assert state is not None
            start = datetime.fromisoformat(state["cursor"]) - lookback
            window.append(f"LastUpdateDate >= '{stamp(start)}'")
        if signpost is not None:
            window.append(f"LastUpdateDate < '{stamp(signpost)}'")
        after: tuple[str, int] | None = None
        current = dict(state or {}) if incremental else {}
        while True:
            conditions = list(window)
            if after is not None:
                when, rid = after
                conditions.append(
                    f"(LastUpdateDate > '{when}' or (LastUpdateDate = '{when}' and {key} > {rid}))"
                )
            params: dict[str, Any] = {
                "onlyData": "true",
                "limit": self.page_size,
                "orderBy": f"LastUpdateDate:asc,{key}:asc",
            }
            if conditions:
                params["q"] = " and ".join(conditions)
            if expand:
                params["expand"] = expand
            if fields:
                params["fields"] = fields
            answer = self.http.call("GET", resource, params=params) or {}
            rows = answer.get("items") or []
            if rows:
                last = rows[-1]
                after = (str(last["LastUpdateDate"]), int(last[key]))
                current = {"cursor": after[0], "id": after[1]}
            yield Part(rows, dict(current))
            if not rows or not answer.get("hasMore"):
                return

    def ids(self, resource: str) -> Iterator[list[str]]:
        """Every live id of a collection, a page at a time (the light read of the
        engine's delete check: only the id attribute, in id order)."""
        key = key_field(resource)
        after: int | None = None
        while True:
            params: dict[str, Any] = {
                "onlyData": "true",
                "limit": self.page_size,
                "orderBy": f"{key}:asc",
                "fields": key,
            }
            if after is not None:
                params["q"] = f"{key} > {after}"
            answer = self.http.call("GET", resource, params=params) or {}
            rows = answer.get("items") or []
            if rows:
                after = int(rows[-1][key])
            yield [str(r[key]) for r in rows]
            if not rows or not answer.get("hasMore"):
                return

    def children_of(self, opportunity: dict[str, Any], child: str) -> list[dict[str, Any]]:
        """An opportunity's rows of a child collection: the expanded first page, or when
        it says ``hasMore``, every page of the child collection."""
        expanded = opportunity.get(child) or {}
        if not expanded.get("hasMore"):
            return list(expanded.get("items") or [])
        return self.every_page(f"opportunities/{opportunity['OptyNumber']}/child/{child}")

    def every_page(self, path: str) -> list[dict[str, Any]]:
        """Every row of a child collection (``path``), a page at a time by offset."""
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            params = {"onlyData": "true", "limit": self.page_size, "offset": offset}
            answer = self.http.call("GET", path, params=params) or {}
            items = answer.get("items") or []
            rows += items
            offset += len(items)
            if not items or not answer.get("hasMore"):
                return rows
