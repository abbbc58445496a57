"""The audit rules that read the CRM's own history (``sync.audit.history``).

Each finding's message names the history rows it rests on (``[history ID, ...]``), which
``audit explain`` shows. Pipeline faults blame the deal's owner; a loss right after a
reassignment blames the owner who held the deal before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.findings import Finding
from sync.audit.history import deal_history, unreadable_history
from sync.audit.snapshot import Row

__all__ = ["HISTORY_RULES"]

Emit = Callable[[Row, str | None, str], Finding]


def _cite(rows: list[Row]) -> str:
    return "[history " + ", ".join(r["remote_id"] for r in rows) + "]"


def _when(row: Row) -> str:
    return row["changed_at"].strftime("%Y-%m-%d %H:%M")


def _deal_entered_at_won(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        found = deal_history(ctx, deal)
        if found is not None and found.entered_at_won and found.won_at is not None:
            cited = [found.closing_row] if found.closing_row is not None else found.rows[:1]
            yield emit(
                deal,
                deal.get("owner_id"),
                f"created {deal['remote_created_at']:%Y-%m-%d %H:%M} already won "
                f"(won {found.won_at:%Y-%m-%d %H:%M}) {_cite(cited)}",
            )


def _deal_changed_after_close(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        found = deal_history(ctx, deal)
        if found is None or not found.after_close or found.closed_at is None:
            continue
        what = ", ".join(
            f"{r['field']} {r.get('old_value')} -> {r.get('new_value')} on {_when(r)}"
            for r in found.after_close
        )
        yield emit(
            deal,
            deal.get("owner_id"),
            f"closed {found.closed_at:%Y-%m-%d}, then {what} {_cite(found.after_close)}",
        )


def _close_date_not_won_day(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        found = deal_history(ctx, deal)
        if found is None or not found.close_date_off or found.won_at is None:
            continue
        cited = [found.closing_row] if found.closing_row is not None else []
        yield emit(
            deal,
            deal.get("owner_id"),
            f"won {found.won_at:%Y-%m-%d} but close date {deal['close_date']} "
            f"(tolerance {ctx.config.close_date_tolerance_days} days) {_cite(cited)}",
        )


def _close_date_pushed(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        found = deal_history(ctx, deal)
        if found is None or not found.pushed:
            continue
        moves = ", ".join(f"{r['old_value']} -> {r['new_value']}" for r in found.pushes)
        yield emit(
            deal,
            deal.get("owner_id"),
            f"close date pushed {len(found.pushes)} times ({moves}) {_cite(found.pushes)}",
        )


def _lost_after_reassignment(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        found = deal_history(ctx, deal)
        if found is None or found.reassigned is None or found.closed_at is None:
            continue
        move = found.reassigned
        yield emit(
            deal,
            found.loss_owner,
            f"reassigned {move['old_value']} -> {move['new_value']} on {_when(move)}, lost "
            f"{found.closed_at:%Y-%m-%d}: the loss is {move['old_value']}'s {_cite([move])}",
        )


def _history_unreadable(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for row, why in unreadable_history(ctx):
        yield emit(row, None, why)


HISTORY_RULES: dict[str, Callable[[Context, Directory, Emit], Iterator[Finding]]] = {
    "deal_entered_at_won": _deal_entered_at_won,
    "deal_changed_after_close": _deal_changed_after_close,
    "close_date_not_won_day": _close_date_not_won_day,
    "close_date_pushed": _close_date_pushed,
    "lost_after_reassignment": _lost_after_reassignment,
    "history_unreadable": _history_unreadable,
}
