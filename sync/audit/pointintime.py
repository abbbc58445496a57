"""The store as it was at the audit date, so an earlier ``--as-of`` judges what was known then.

Records created after ``as_of`` did not exist yet; activities that happened after it had
not happened; a case closed after it was still open, and a deal whose close date is after
it was still open; the CRM's history holds only the changes made by then. Users are kept
as they are (the store holds no user history), and so are statuses the CRMs do not date
(a case's "Reopened").
"""

from __future__ import annotations

from datetime import datetime

from sync.audit.checks import case_closed_at
from sync.audit.snapshot import Row, Snapshot

__all__ = ["as_of_view"]


def as_of_view(snapshot: Snapshot, as_of: datetime) -> Snapshot:
    """A snapshot of the records as they stood at ``as_of`` (unchanged rows are shared)."""
    today = as_of.date()
    tables: dict[str, list[Row]] = {}
    for name, rows in snapshot.tables.items():
        kept: list[Row] = []
        for row in rows:
            if name == "users":
                kept.append(row)
                continue
            created = row.get("remote_created_at")
            if created is not None and created > as_of:
                continue
            if name in ("activities", "field_changes"):
                # what happened (an activity, a change in the CRM's history) after it had not
                at = row.get("occurred_at" if name == "activities" else "changed_at")
                if at is not None and at > as_of:
                    continue
            elif name == "cases" and row.get("is_closed"):
                closed = case_closed_at(row)
                if closed is not None and closed > as_of:
                    row = {**row, "is_closed": False, "closed_at": None}
            elif name == "deals" and row.get("is_closed"):
                close = row.get("close_date")
                if close is not None and close > today:
                    row = {**row, "is_closed": False, "is_won": False}
            kept.append(row)
        tables[name] = kept
    view = Snapshot.from_rows(tables, snapshot.kinds)
    view.deleted = snapshot.deleted
    return view
