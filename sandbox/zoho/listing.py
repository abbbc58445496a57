"""Building the ordered result of a record list: filters, ``sort_by`` and the page window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from sandbox.store import Record, Table
from sandbox.zoho.errors import invalid_data

__all__ = ["SORT_FIELDS", "ListQuery", "order_records", "parse_list_query"]

SORT_FIELDS = ("id", "Created_Time", "Modified_Time")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ListQuery:
    """What selects and orders the rows of a list call (not the fields or the page)."""

    module: str
    sort_by: str
    sort_order: str
    converted: str
    ids: tuple[str, ...]
    modified_since: datetime | None

    def rows(self, table: Table) -> list[Record]:
        records: Any = table.live()
        if self.ids:
            wanted = set(self.ids)
            records = (r for r in records if r["id"] in wanted)
        if self.module == "Leads" and self.converted != "both":
            flag = self.converted == "true"
            records = (r for r in records if bool(r.get("Converted__s")) is flag)
        if self.modified_since is not None:
            since = self.modified_since
            records = (r for r in records if (m := r.get("Modified_Time")) and m > since)
        return order_records(list(records), self.sort_by, self.sort_order == "desc")


def order_records(records: list[Record], sort_by: str, descending: bool) -> list[Record]:
    """Sort by id, or by a datetime with id as the tie-break (ids sort as fixed-width text)."""
    if sort_by == "id":
        records.sort(key=lambda r: r["id"], reverse=descending)
    else:
        records.sort(key=lambda r: (r.get(sort_by) or _EPOCH, r["id"]), reverse=descending)
    return records


def parse_list_query(module: str, args: MultiDict[str, str], since: datetime | None) -> ListQuery:
    sort_by = args.get("sort_by") or "id"
    if sort_by not in SORT_FIELDS:
        raise invalid_data("sort_by", "invalid sort_by value", supported_values=list(SORT_FIELDS))
    sort_order = args.get("sort_order") or "desc"
    if sort_order not in ("asc", "desc"):
        raise invalid_data("sort_order", "invalid sort_order", supported_values=["asc", "desc"])
    converted = (args.get("converted") or "false").lower()
    if converted not in ("true", "false", "both"):
        raise invalid_data("converted", supported_values=["true", "false", "both"])
    ids = tuple(i.strip() for i in (args.get("ids") or "").split(",") if i.strip())
    if len(ids) > 100:
        raise invalid_data("ids", "the number of ids exceeds the limit", limit=100)
    return ListQuery(module, sort_by, sort_order, converted, ids, since)
