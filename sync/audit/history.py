"""What a deal's history (the CRM's own field changes, ``field_changes``) says about it.

The store keeps one version of each record; the CRM's history says how it got there. From
a deal's changes, oldest first:

- **when it closed / was won**: the last stage change to a closed (won) stage. A deal whose
  history records its creation and no stage change has kept the stage it was created
  with, so a won one was won when it was created.
- **entered at won**: won within ``created_at_close_minutes`` of its creation.
- **changed after close**: its amount or stage changed more than
  ``closed_change_grace_hours`` after it closed.
- **close date off**: a won deal's close date more than ``close_date_tolerance_days`` from
  the day it moved to won.
- **close date pushed**: moved later ``close_date_pushes`` times or more.
- **reassigned before loss**: lost within ``reassigned_before_loss_days`` of an owner change;
  the loss belongs to the owner who held it before (the first owner of that stretch).

Each fault names the history rows it rests on (``audit explain`` shows their ids). A deal
with no history (a CRM that keeps none, a store synced before history was) has no fault:
nothing is inferred from absence. History rows whose record the store does not have, or
without a time, are kept and reported (``history_unreadable``), never judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sync.audit.checks import Context
from sync.audit.snapshot import Row

__all__ = ["DealHistory", "deal_history", "responsible_owner", "unreadable_history"]

_RECORD_TABLES = {"deal": "deals", "lead": "leads", "case": "cases", "contact": "contacts"}


@dataclass
class DealHistory:
    """The faults a deal's history shows (each with the rows it rests on)."""

    rows: list[Row]
    closed_at: datetime | None = None
    won_at: datetime | None = None
    closing_row: Row | None = None
    entered_at_won: bool = False
    after_close: list[Row] = field(default_factory=list)
    close_date_off: bool = False
    pushes: list[Row] = field(default_factory=list)
    pushed: bool = False
    reassigned: Row | None = None
    loss_owner: str | None = None

    @property
    def closed_faults(self) -> bool:
        """Faults that make a closed deal's record untrustworthy (freshness fails)."""
        return self.entered_at_won or bool(self.after_close) or self.close_date_off or self.pushed


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def deal_history(ctx: Context, deal: Row) -> DealHistory | None:
    """The deal's faults, or ``None`` when the store holds no history for it."""
    cached = deal.get("_history")
    if cached is not None and cached[0] is ctx:
        return cached[1]
    rows = [
        r
        for r in ctx.snapshot.history.get((deal["source"], "deal", deal["remote_id"]), [])
        if r.get("changed_at") is not None
    ]
    found = _analyse(ctx, deal, rows) if rows else None
    deal["_history"] = (ctx, found)
    return found


def _analyse(ctx: Context, deal: Row, rows: list[Row]) -> DealHistory:
    config = ctx.config
    out = DealHistory(rows)
    stages = [r for r in rows if r["field"] == "stage"]
    created = deal.get("remote_created_at")
    if deal.get("is_closed"):
        closing = [r for r in stages if r.get("new_state") in ("won", "lost")]
        if closing:
            out.closing_row = closing[-1]
            out.closed_at = closing[-1]["changed_at"]
        elif created is not None and not [r for r in stages if r.get("old_value") is not None]:
            # never moved from the stage it was created with: closed (or won) at its
            # creation, when the history shows the creation (an org that turned tracking
            # on later has no creation row: nothing is inferred)
            born = [r for r in rows if r["field"] == "created"]
            if born:
                out.closed_at = created
                out.closing_row = born[0]
        if deal.get("is_won"):
            out.won_at = out.closed_at
    if out.won_at is not None and created is not None:
        out.entered_at_won = out.won_at - created <= timedelta(
            minutes=config.created_at_close_minutes
        )
    if out.closed_at is not None:
        limit = out.closed_at + timedelta(hours=config.closed_change_grace_hours)
        out.after_close = [
            r
            for r in rows
            if r["field"] in ("amount", "stage")
            and r is not out.closing_row
            and r.get("old_value") is not None
            and r["changed_at"] > limit
        ]
    close = deal.get("close_date")
    if out.won_at is not None and close is not None:
        off = abs((close - out.won_at.date()).days)
        out.close_date_off = off > config.close_date_tolerance_days
    for r in rows:
        old, new = _day(r.get("old_value")), _day(r.get("new_value"))
        if r["field"] == "close_date" and old is not None and new is not None and new > old:
            out.pushes.append(r)
    out.pushed = len(out.pushes) >= config.close_date_pushes
    if deal.get("is_closed") and not deal.get("is_won") and out.closed_at is not None:
        start = out.closed_at - timedelta(days=config.reassigned_before_loss_days)
        moves = [
            r
            for r in rows
            if r["field"] == "owner_id"
            and r.get("old_value")
            and start <= r["changed_at"] <= out.closed_at
        ]
        if moves and moves[0]["old_value"] != deal.get("owner_id"):
            out.reassigned = moves[0]
            out.loss_owner = moves[0]["old_value"]
    return out


def responsible_owner(ctx: Context, deal: Row) -> str | None:
    """Who answers for a deal: its owner, or for a deal lost just after a reassignment the
    owner who held it before."""
    found = deal_history(ctx, deal)
    if found is not None and found.loss_owner:
        return found.loss_owner
    owner = deal.get("owner_id")
    return str(owner) if owner is not None else None


def unreadable_history(ctx: Context) -> list[tuple[Row, str]]:
    """History rows that cannot be judged: for a record the store does not have (yet; a
    record deleted in its CRM is known), or with no time. Each with why."""
    known: dict[str, set[tuple[str, str]]] = {}
    out: list[tuple[Row, str]] = []
    for row in ctx.snapshot.rows("field_changes"):
        table = _RECORD_TABLES.get(row["record_type"])
        if table is None:
            out.append((row, f"history of an unknown record type {row['record_type']!r}"))
            continue
        if table not in known:
            known[table] = {(r["source"], r["remote_id"]) for r in ctx.snapshot.rows(table)}
        if (table, row["source"], row["record_id"]) in ctx.snapshot.deleted:
            continue  # a deleted record's history: known, and nothing left to judge
        if (row["source"], row["record_id"]) not in known[table]:
            out.append(
                (row, f"history of {row['record_type']} {row['record_id']}, not in the store")
            )
        elif row.get("changed_at") is None:
            out.append((row, f"history of {row['record_type']} {row['record_id']} with no time"))
    return out
