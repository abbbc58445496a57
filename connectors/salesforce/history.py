"""The ``history`` stream: Salesforce's field history as ``FieldChange`` records.

``OpportunityFieldHistory``, ``LeadHistory`` and ``CaseHistory`` hold one row per change
of a tracked field (``Field`` = ``created`` for the creation). Rows are never updated, so
each object is read on ``CreatedDate``: ``WHERE CreatedDate >= since AND CreatedDate <
signpost ORDER BY CreatedDate, Id``, where ``since`` is the last run's signpost less the
lookback (rows committed late; re-read rows are unchanged and cost no write). A full read
starts from the beginning. Owner changes come as two rows, one with user ids and one with
names (both ``DataType`` ``EntityId``): the id row is kept.

A stage change says what the new stage means (``new_state``): ``won`` for a closed stage
with "Won" in its name, ``lost`` for any other closed stage (Salesforce's closed stages
start with "Closed" in a standard org), ``open`` otherwise; a case status ``closed`` when
it reads "Closed".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from operator import methodcaller
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.records import CommonRecord, FieldChange
from connectors.salesforce.http import SalesforceHttp
from connectors.salesforce.mapping import parse_datetime
from connectors.salesforce.windows import soql_datetime

__all__ = ["HISTORY_OBJECTS", "HistoryReader", "stage_state"]

# history object -> (record type, the field naming the record)
HISTORY_OBJECTS: dict[str, tuple[str, str]] = {
    "OpportunityFieldHistory": ("deal", "OpportunityId"),
    "LeadHistory": ("lead", "LeadId"),
    "CaseHistory": ("case", "CaseId"),
}
_FIELDS = {
    "created": "created",
    "StageName": "stage",
    "Amount": "amount",
    "CloseDate": "close_date",
    "Owner": "owner_id",
    "OwnerId": "owner_id",
    "Probability": "probability",
    "NextStep": "next_step",
    "Status": "status",
}
_NUMBERS = {"amount", "probability"}


def stage_state(record_type: str, value: str | None) -> str | None:
    """What a stage (deal) or status (case) value means: won, lost, open or closed."""
    if value is None:
        return None
    text = value.lower()
    if record_type == "deal":
        if not text.startswith("closed"):
            return "open"
        return "won" if "won" in text else "lost"
    if record_type == "case":
        return "closed" if text.startswith("closed") else "open"
    return None


def _decimal(value: Decimal) -> str:
    """A number as plain text, whole numbers without a fraction (12000.0 -> 12000)."""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def _ids(row: dict[str, Any]) -> bool:
    """Whether an owner change's row holds ids (Salesforce writes one with ids and one
    with names, both ``EntityId``)."""
    values = [v for v in (row.get("OldValue"), row.get("NewValue")) if v]
    return bool(values) and all(_ID.match(str(v)) for v in values)


def _text(field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if field in _NUMBERS:
        try:
            return _decimal(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


class HistoryReader:
    """Reads the field-history objects as pages of ``FieldChange`` records."""

    def __init__(self, http: SalesforceHttp, source: str) -> None:
        self.http = http
        self.source = source

    def read(self, state: Mapping[str, Any] | None, options: ReadOptions) -> Iterator[Page]:
        mark = self.http.budget.calls
        signpost = options.signpost or self.http.server_time()
        saved = dict((state or {}).get("objects") or {}) if not options.full else {}
        progress = dict(saved)
        for obj in HISTORY_OBJECTS:
            since = saved.get(obj)
            start = None if since is None else datetime.fromisoformat(since) - options.lookback
            for records, quarantined in self._pages(obj, start, signpost):
                page = Page("history", records, {"objects": dict(progress)}, quarantined)
                page.api_calls, mark = self.http.budget.calls - mark, self.http.budget.calls
                yield page
            progress[obj] = signpost.isoformat()
            page = Page("history", [], {"objects": dict(progress)})
            page.api_calls, mark = self.http.budget.calls - mark, self.http.budget.calls
            yield page

    def _pages(
        self, obj: str, start: datetime | None, signpost: datetime
    ) -> Iterator[tuple[list[CommonRecord], list[Quarantined]]]:
        record_type, parent = HISTORY_OBJECTS[obj]
        where = [f"CreatedDate < {soql_datetime(signpost)}"]
        if start is not None:
            where.insert(0, f"CreatedDate >= {soql_datetime(start)}")
        soql = (
            f"SELECT Id, {parent}, CreatedDate, CreatedById, Field, DataType, OldValue, "
            f"NewValue FROM {obj} WHERE {' AND '.join(where)} ORDER BY CreatedDate, Id"
        )
        timeout = self.http.settings.timeout_s
        result = self.http.call(
            f"query {obj}", methodcaller("query", soql, include_deleted=True, timeout=timeout)
        )
        while True:
            yield self._map(obj, record_type, parent, result["records"])
            if result["done"]:
                return
            url = result["nextRecordsUrl"]
            result = self.http.call(
                f"query more {obj}",
                methodcaller("query_more", url, identifier_is_url=True, timeout=timeout),
            )

    def _map(
        self, obj: str, record_type: str, parent: str, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        for row in rows:
            raw = {k: v for k, v in row.items() if k != "attributes"}
            remote = str(row.get("Field") or "")
            field = _FIELDS.get(remote, remote)
            if field == "owner_id" and not _ids(row):
                continue  # the names row of an owner change: its id row carries it
            if not row.get(parent) or not row.get("CreatedDate"):
                bad.append(Quarantined(row.get("Id"), f"{obj} row without {parent}", raw))
                continue
            new = _text(field, row.get("NewValue"))
            when = parse_datetime(row["CreatedDate"])
            records.append(
                FieldChange(
                    source=self.source,
                    remote_id=str(row["Id"]),
                    remote_created_at=when,
                    remote_updated_at=when,
                    deleted=bool(row.get("IsDeleted")),
                    record_type=record_type,
                    record_id=str(row[parent]),
                    field=field,
                    remote_field=remote,
                    old_value=_text(field, row.get("OldValue")),
                    new_value=new,
                    new_state=stage_state(record_type, new)
                    if field in ("stage", "status")
                    else None,
                    changed_at=when,
                    changed_by=row.get("CreatedById"),
                    raw=raw,
                )
            )
        return records, bad
