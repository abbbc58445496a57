"""The ``history`` stream: Zoho record timelines as ``FieldChange`` records.

Zoho keeps a record's history as its timeline (``GET /{module}/{id}/__timeline``): one
entry per audited action, ``added`` when the record was created and ``updated`` with a
``field_history`` of ``{"api_name", "_value": {"old", "new"}}`` per changed field,
``done_by`` the user. The timeline is per record, so a run first lists the records whose
``Modified_Time`` moved in its window (on a first or full run every deal, or those modified
in the source's ``history_days`` when set: a timeline costs a call per record), then reads
their timelines (``sort_order=asc``, 200 entries a page), keeping the entries audited from
the window's start: an incremental run fetches only new history, and only for the records
that changed. A creation entry becomes a ``created`` row; each tracked field of an update
one row, its id ``entry id:field``. Deals only: no audit rule reads a case's history, and
a case's timeline would cost a call per case. The timelines of a page of records are read
``per_record_workers`` at a time (``connectors.core.at_once``), in the page's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from connectors.core.at_once import in_order
from connectors.core.contract import Page, ReadOptions
from connectors.core.records import CommonRecord, FieldChange
from connectors.zoho.http import ZohoHttp
from connectors.zoho.mapping import parse_time
from connectors.zoho.reader import ModuleReader, ModuleWindow

__all__ = ["TRACKED", "HistoryReader", "stage_state"]

# module -> (record type, {api name: common field})
TRACKED: dict[str, tuple[str, dict[str, str]]] = {
    "Deals": (
        "deal",
        {
            "Stage": "stage",
            "Amount": "amount",
            "Closing_Date": "close_date",
            "Owner": "owner_id",
            "Next_Step": "next_step",
        },
    ),
}
_CLOSED_STAGES = ("closed",)


def stage_state(record_type: str, value: str | None) -> str | None:
    """A Zoho stage's meaning: ``Closed Won`` is won, any other closed stage lost."""
    if value is None:
        return None
    text = value.lower()
    if record_type == "deal":
        if not text.startswith(_CLOSED_STAGES):
            return "open"
        return "won" if text == "closed won" else "lost"
    return "closed" if text == "closed" else "open"


def _decimal(value: Decimal) -> str:
    """A number as plain text, whole numbers without a fraction (12000.0 -> 12000)."""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _text(field: str, value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    if field == "amount":
        try:
            return _decimal(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)


class HistoryReader:
    """Reads the timelines of the tracked modules' changed records."""

    def __init__(
        self,
        http: ZohoHttp,
        modules: ModuleReader,
        source: str,
        history_days: int,
        workers: int = 1,
    ) -> None:
        self.http = http
        self.modules = modules
        self.source = source
        self.history_days = history_days
        self.workers = workers

    def read(
        self, state: Mapping[str, Any] | None, options: ReadOptions, signpost: datetime
    ) -> Iterator[Page]:
        saved = {} if options.full else dict((state or {}).get("modules") or {})
        progress = dict(saved)
        for module in TRACKED:
            calls = self.http.budget.calls
            cursor = saved.get(module)
            since = datetime.fromisoformat(cursor) if cursor else None
            lower = since - options.lookback if since is not None else None
            if since is None and self.history_days:
                # a full read: deals modified in the last history_days (every entry of each)
                since = signpost - timedelta(days=self.history_days)
            window = ModuleWindow(
                module, ("Modified_Time",), since, None, options.lookback, signpost, False
            )
            for page in self.modules.read(window):
                ids = [str(row["id"]) for row in page.rows]
                changes = partial(self._changes, module, lower, signpost)
                found = in_order(self.workers, changes, ids)
                records: list[CommonRecord] = [change for each in found for change in each]
                if records:
                    out = Page("history", records, {"modules": dict(progress)})
                    out.api_calls, calls = self.http.budget.calls - calls, self.http.budget.calls
                    yield out
            progress[module] = signpost.isoformat()
            out = Page("history", [], {"modules": dict(progress)})
            out.api_calls = self.http.budget.calls - calls
            yield out

    def _changes(
        self, module: str, lower: datetime | None, upper: datetime, rid: str
    ) -> list[FieldChange]:
        return list(self._timeline(module, rid, lower, upper))

    def _timeline(
        self, module: str, rid: str, lower: datetime | None, upper: datetime
    ) -> Iterator[FieldChange]:
        token: str | None = None
        while True:
            params = {"sort_order": "asc", "sort_by": "audited_time"}
            params.update({"page_token": token} if token else {"per_page": "200"})
            body = self.http.api("GET", f"/{module}/{rid}/__timeline", params=params).body or {}
            for entry in body.get("__timeline") or ():
                yield from self._entry(module, rid, entry, lower, upper)
            info = body.get("info") or {}
            token = info.get("next_page_token")
            if not info.get("more_records") or not token:
                return

    def _entry(
        self,
        module: str,
        rid: str,
        entry: dict[str, Any],
        lower: datetime | None,
        upper: datetime,
    ) -> Iterator[FieldChange]:
        record_type, fields = TRACKED[module]
        when = parse_time(entry.get("audited_time"))
        if when is None or when > upper or (lower is not None and when < lower):
            return
        by = (entry.get("done_by") or {}).get("id")

        def change(remote_id: str, field: str, **values: Any) -> FieldChange:
            return FieldChange(
                source=self.source,
                remote_id=remote_id,
                remote_created_at=when,
                remote_updated_at=when,
                record_type=record_type,
                record_id=rid,
                field=field,
                changed_at=when,
                changed_by=None if by is None else str(by),
                **values,
            )

        if entry.get("action") == "added":
            raw = {k: v for k, v in entry.items() if k != "record"}
            yield change(f"{entry.get('id')}:created", "created", remote_field="created", raw=raw)
            return
        for item in entry.get("field_history") or ():
            name = item.get("api_name")
            field = fields.get(name or "")
            if field is None:
                continue
            value = item.get("_value") or {}
            new = _text(field, value.get("new"))
            yield change(
                f"{entry.get('id')}:{name}",
                field,
                remote_field=name,
                old_value=_text(field, value.get("old")),
                new_value=new,
                new_state=stage_state(record_type, new) if field in ("stage", "status") else None,
                raw={"entry": entry.get("id"), "action": entry.get("action"), **item},
            )
