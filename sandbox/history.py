"""The CRMs' own history, recorded as the sandbox's records change.

Every CRM keeps a history of a few fields: Salesforce in its history objects
(``OpportunityHistory``, ``OpportunityFieldHistory``, ``LeadHistory``, ``CaseHistory``),
HubSpot as each property's versions (``propertiesWithHistory``), Zoho as a record's
timeline (``__timeline``). A ``HistoryRecorder`` watches the tracked tables: a record's
insert and every update stamped with a time (API writes and churn, at the sandbox clock)
add history, so what the emulators serve follows what happened to the record.

Salesforce history lives in its tables (SOQL reads them like any object). HubSpot's and
Zoho's is kept here, per record, as entries ``{"id", "field", "old", "new", "at", "by",
"action"}`` (``action`` is ``added`` for the creation entry, ``updated`` otherwise).

A generated world gets a plausible past instead (``seed_history``): each deal is created
at an open stage and, when it is closed, moves to its final stage on its close date; a
closed case moves to its closed status when it closed. That draws no random number, so
no other generated value changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.history_rows import SalesforceHistory

if TYPE_CHECKING:
    from sandbox.store import Record, Table
    from sandbox.world import World

__all__ = ["TRACKED", "HistoryRecorder", "attach_history", "seed_history"]

# crm -> object -> tracked fields (creation is always recorded)
TRACKED: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "Opportunity": ("StageName", "Amount", "CloseDate", "OwnerId", "Probability", "NextStep"),
        "Lead": ("Status", "OwnerId"),
        "Case": ("Status", "OwnerId"),
    },
    "hubspot": {
        "deals": ("dealstage", "amount", "closedate", "hubspot_owner_id", "hs_next_step"),
        "tickets": ("hs_pipeline_stage", "hubspot_owner_id"),
        "contacts": ("hs_lead_status", "hubspot_owner_id"),
    },
    "zoho": {
        "Deals": ("Stage", "Amount", "Closing_Date", "Owner", "Next_Step"),
        "Leads": ("Lead_Status", "Owner"),
        "Cases": ("Status", "Owner"),
    },
}
# who made a change, read from the written values (or the record after the write)
_MODIFIER = {
    "salesforce": "LastModifiedById",
    "hubspot": "hs_updated_by_user_id",
    "zoho": "Modified_By",
}
_CREATOR = {"salesforce": "CreatedById", "hubspot": "hs_created_by_user_id", "zoho": "Created_By"}
# (stage field, the first open stage, how a closed stage reads) per deal object
_DEAL_STAGES = {
    ("salesforce", "Opportunity"): ("StageName", "Prospecting"),
    ("hubspot", "deals"): ("dealstage", "appointmentscheduled"),
    ("zoho", "Deals"): ("Stage", "Qualification"),
}
_CASE_STATUS = {
    ("salesforce", "Case"): ("Status", "New", "ClosedDate"),
    ("hubspot", "tickets"): ("hs_pipeline_stage", "1", "closed_date"),
    ("zoho", "Cases"): ("Status", "New", "Resolved_Time"),
}
_CLOSE_DATE = {"salesforce": "CloseDate", "hubspot": "closedate", "zoho": "Closing_Date"}
Entry = dict[str, Any]


class HistoryRecorder:
    """Adds history when a tracked table's record is created or changed."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.paused = False
        self.entries: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
        self.salesforce = SalesforceHistory(world)

    def next_id(self) -> str:
        self.world.sequences["history:entry"] += 1
        return f"{self.world.sequences['history:entry']:015d}"

    def entries_of(self, crm: str, obj: str, rid: str) -> list[Entry]:
        """A HubSpot or Zoho record's history, oldest first."""
        return self.entries.get((crm, obj, rid), [])

    def created(self, crm: str, table: Table, record: Record) -> None:
        if self.paused:
            return
        fields = TRACKED[crm][table.name]
        at = record.get(table.schema.created_fields[0])
        by = record.get(_CREATOR[crm]) or record.get(_MODIFIER[crm])
        if not isinstance(at, datetime):
            return  # no creation time: nothing to date the entry with
        self._created(crm, table.name, record, fields, at, by)

    def changed(
        self,
        crm: str,
        table: Table,
        rid: str,
        before: Record,
        record: Record,
        when: datetime,
        by: Any = None,
    ) -> None:
        if self.paused:
            return
        fields = TRACKED[crm][table.name]
        diffs = {f: (before[f], record.get(f)) for f in fields if f in before}
        diffs = {f: pair for f, pair in diffs.items() if pair[0] != pair[1]}
        if not diffs:
            return
        by = by or record.get(_MODIFIER[crm])
        if crm == "salesforce":
            self.salesforce.changed(table.name, record, diffs, when, by)
            return
        self.entries[(crm, table.name, rid)].append(
            {
                "id": self.next_id(),
                "action": "updated",
                "at": when,
                "by": by,
                "changes": {f: [old, new] for f, (old, new) in diffs.items()},
            }
        )

    def _created(
        self,
        crm: str,
        obj: str,
        record: Record,
        fields: tuple[str, ...],
        at: datetime,
        by: Any,
        values: dict[str, Any] | None = None,
    ) -> None:
        shown = {f: record.get(f) for f in fields}
        shown.update(values or {})
        rid = str(record[self.world_id_field(crm)])
        if crm == "salesforce":
            self.salesforce.created(obj, record, shown, at, by)
            return
        self.entries[(crm, obj, rid)].append(
            {
                "id": self.next_id(),
                "action": "added",
                "at": at,
                "by": by,
                "changes": {f: [None, v] for f, v in shown.items() if v is not None},
            }
        )

    @staticmethod
    def world_id_field(crm: str) -> str:
        return "Id" if crm == "salesforce" else "id"


class _Observer:
    """The hook a tracked ``Table`` calls (bound to its CRM)."""

    def __init__(self, recorder: HistoryRecorder, crm: str) -> None:
        self.recorder = recorder
        self.crm = crm

    def created(self, table: Table, record: Record) -> None:
        self.recorder.created(self.crm, table, record)

    def changed(
        self, table: Table, rid: str, before: Record, record: Record, when: datetime
    ) -> None:
        self.recorder.changed(self.crm, table, rid, before, record, when)


def attach_history(world: World) -> HistoryRecorder:
    """Give ``world`` a recorder and hook it to every tracked table."""
    recorder = HistoryRecorder(world)
    world.history = recorder
    for crm, objects in TRACKED.items():
        tables = getattr(world, crm)
        observer = _Observer(recorder, crm)
        for name in objects:
            if name in tables:
                tables[name].observer = observer
    return recorder


def seed_history(world: World) -> None:
    """The past of a generated world's tracked records (see the module docstring)."""
    recorder = world.history
    for crm, objects in TRACKED.items():
        tables = getattr(world, crm)
        for obj, fields in objects.items():
            table = tables[obj]
            for record in table.all():
                _seed_record(recorder, crm, table, record, fields)


def _seed_record(
    recorder: HistoryRecorder, crm: str, table: Table, record: Record, fields: tuple[str, ...]
) -> None:
    created = record.get(table.schema.created_fields[0])
    if not isinstance(created, datetime):
        return
    by = record.get(_CREATOR[crm])
    key = (crm, table.name)
    if key in _DEAL_STAGES:
        stage_field, first_open = _DEAL_STAGES[key]
        final = record.get(stage_field)
        closed_at = _deal_closed_at(crm, record, created, recorder.world.anchor)
        if closed_at is None or not _is_closed_stage(final):
            recorder._created(crm, table.name, record, fields, created, by)
            return
        recorder._created(crm, table.name, record, fields, created, by, {stage_field: first_open})
        before = {stage_field: first_open}
        rid = str(record[recorder.world_id_field(crm)])
        recorder.changed(crm, table, rid, before, record, closed_at, by=_closer(crm, record, by))
        return
    if key in _CASE_STATUS:
        status_field, first, closed_field = _CASE_STATUS[key]
        closed = record.get(closed_field)
        if (
            isinstance(closed, datetime)
            and created < closed < recorder.world.anchor
            and record.get(status_field) != first
        ):
            recorder._created(crm, table.name, record, fields, created, by, {status_field: first})
            rid = str(record[recorder.world_id_field(crm)])
            recorder.changed(
                crm, table, rid, {status_field: first}, record, closed, by=_closer(crm, record, by)
            )
            return
    recorder._created(crm, table.name, record, fields, created, by)


def _closer(crm: str, record: Record, creator: Any) -> Any:
    """Who closed a generated record: its owner where the owner is a user id (HubSpot's
    owners are not users: the creator there)."""
    if crm == "salesforce":
        return record.get("OwnerId") or creator
    if crm == "zoho":
        return record.get("Owner") or creator
    return creator


def _is_closed_stage(stage: Any) -> bool:
    text = str(stage or "").lower().replace(" ", "").replace("-", "")
    return text.startswith("closed")


def _deal_closed_at(
    crm: str, record: Record, created: datetime, anchor: datetime
) -> datetime | None:
    """Noon (UTC) of the close date; ``None`` when that is not after the creation (a deal
    entered once it had closed was created at its final stage)."""
    close = record.get(_CLOSE_DATE[crm])
    if isinstance(close, datetime):
        close = close.date()
    if close is None:
        return None
    at = min(datetime.combine(close, time(12), UTC), anchor - timedelta(seconds=1))
    return at if at > created + timedelta(minutes=1) else None
