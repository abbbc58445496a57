"""Outbox operations: queue, approve, claim, record outcomes, recover after a crash.

Every state change is its own short transaction and every transition is conditional on
the state it leaves (``UPDATE ... WHERE id = ? AND state = ?``), so two senders never
send the same row and a crash leaves each row in a state that says what happened.

One address, one employee per period: a row whose address another employee's row of the
same period also uses is ``held``, when it is queued (``sync.mail.enqueue``) and again when
it is claimed, whatever call queued the other row. The claim-time check is what makes it
hold when two processes queue both rows at once: each claim sees the other, committed row.
Only ``approve(..., shared_address=True)`` releases a held row.
"""

from __future__ import annotations

import os
import socket
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, func, or_, select, update

from sync.store.outbox import OutboxRow
from sync.store.table_model import table_of

__all__ = [
    "Claimed",
    "address_users",
    "approve",
    "claim",
    "mark_bounced",
    "mark_failed",
    "mark_handed_over",
    "mark_sent",
    "owner_id",
    "record_bounce",
    "recover",
    "resend_unconfirmed",
    "shared_refusal",
    "status_counts",
]

T = table_of(OutboxRow)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this process now owns in state ``sending``."""

    id: int
    statement_id: str
    version: int
    recipient: str
    message_id: str
    attempts: int
    message: bytes


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _scope(period: str | None, only: Iterable[str]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if period is not None:
        conditions.append(T.c.period == period)
    only = list(only)
    if only:
        conditions.append(T.c.employee_id.in_(only))
    return conditions


def address_users(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], set[str]]:
    """(period, lower-cased address) -> the employees whose rows in the outbox use it."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    address = func.lower(T.c.recipient)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(T.c.period, address, T.c.employee_id)
            .distinct()
            .where(
                T.c.period.in_({p for p, _ in chunk}),
                address.in_({a for _, a in chunk}),
            )
        )
        for period, lowered, employee in rows:
            if (period, lowered) in chunk:
                found[(period, lowered)].add(employee)
    return found


def shared_refusal(
    statement_id: str, employee: str, address: str, others: Iterable[str], period: str
) -> str:
    """The one line that says why a statement to a shared address is held, and what to do."""
    return (
        f"{statement_id} ({employee}): {address} is already the address of "
        f"{', '.join(sorted(others))}'s statement for {period}, and a shared mailbox would "
        f"show one employee's pay to the other: give {employee} an address of their own, or "
        f"approve sending to it with `crmsync statements approve --period {period} --only "
        f"{employee} --shared-address`"
    )


def approve(
    engine: Engine,
    period: str | None,
    only: Iterable[str],
    by: str,
    now: datetime,
    shared_address: bool = False,
) -> int:
    """Approve the queued statements in scope; returns how many. Rows held for a shared
    address are approved only with ``shared_address`` (an admin's explicit choice)."""
    values: dict[str, object] = {"state": "approved", "approved_at": now, "approved_by": by[:120]}
    states = ["queued"]
    if shared_address:
        states.append("held")
        values["shared_address_approved_by"] = by[:120]
    with engine.begin() as conn:
        result = conn.execute(
            update(T).where(T.c.state.in_(states), *_scope(period, only)).values(**values)
        )
    return result.rowcount


def _alive(owner: str | None) -> bool:
    host, _, rest = (owner or "").partition(":")  # host:pid[:thread]
    pid = rest.split(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # cannot tell: rely on the lease
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(engine: Engine, now: datetime, stale_after: timedelta) -> tuple[int, int]:
    """Release rows left ``sending`` by a dead sender: not handed over → sent again;
    handed over → counted as sent, unconfirmed. Returns (to resend, assumed sent)."""
    with engine.connect() as conn:
        stuck = conn.execute(
            select(T.c.id, T.c.claimed_by, T.c.claimed_at, T.c.handed_over_at).where(
                T.c.state == "sending"
            )
        ).all()
    resend = assumed = 0
    for row_id, owner, claimed_at, handed_over_at in stuck:
        if _alive(owner) and claimed_at is not None and claimed_at > now - stale_after:
            continue
        with engine.begin() as conn:
            if handed_over_at is None:
                values: dict[str, object] = {
                    "state": "approved",
                    "claimed_by": None,
                    "last_error": f"sender {owner} stopped before handing the message over; "
                    "sending it again",
                }
            else:
                values = {
                    "state": "sent",
                    "sent_at": handed_over_at,
                    "confirmed": False,
                    "smtp_response": "unconfirmed: the sender stopped after handing the "
                    "message over; not resent (the server had the whole message)",
                }
            done = conn.execute(
                update(T).where(T.c.id == row_id, T.c.state == "sending").values(**values)
            ).rowcount
        if done and handed_over_at is None:
            resend += 1
        elif done:
            assumed += 1
    return resend, assumed


def claim(
    engine: Engine,
    now: datetime,
    owner: str,
    period: str | None = None,
    only: Iterable[str] = (),
) -> Claimed | None:
    """Take the next row due for sending and commit it as ``sending``."""
    due = or_(
        T.c.state == "approved",
        and_(T.c.state == "failed", T.c.next_attempt_at.is_not(None), T.c.next_attempt_at <= now),
    )
    only = list(only)
    while True:
        with engine.begin() as conn:
            row = conn.execute(
                select(
                    T.c.id,
                    T.c.state,
                    T.c.statement_id,
                    T.c.employee_id,
                    T.c.recipient,
                    T.c.period,
                    T.c.shared_address_approved_by,
                )
                .where(due, *_scope(period, only))
                .order_by(T.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            # Conditional on the row still being due, not only on its state (another
            # sender may have taken it, been deferred and put it back "failed", due later,
            # since our select), and on its address being its employee's own in the
            # period (see _OWN_ADDRESS); a miss for that reason holds the row.
            taken = conn.execute(
                update(T)
                .where(T.c.id == row.id, due, _OWN_ADDRESS)
                .values(
                    state="sending",
                    claimed_by=owner,
                    claimed_at=now,
                    handed_over_at=None,
                    attempts=T.c.attempts + 1,
                )
            ).rowcount
            if not taken:
                if row.shared_address_approved_by is None and _shared(conn, row):
                    _hold(conn, row)
                continue
            full = conn.execute(
                select(
                    T.c.id,
                    T.c.statement_id,
                    T.c.version,
                    T.c.recipient,
                    T.c.message_id,
                    T.c.attempts,
                    T.c.message,
                ).where(T.c.id == row.id)
            ).one()
        return Claimed(*full[:6], zlib.decompress(full.message))


_OTHER = T.alias("other")
# The row's address is its employee's alone in its period, or sharing it was approved.
# Tested in the claiming UPDATE (one row), not in the SELECT, where it would run for
# every due row before the sort picks one.
_OWN_ADDRESS = or_(
    T.c.shared_address_approved_by.is_not(None),
    ~select(_OTHER.c.id)
    .where(
        _OTHER.c.period == T.c.period,
        func.lower(_OTHER.c.recipient) == func.lower(T.c.recipient),
        _OTHER.c.employee_id != T.c.employee_id,
    )
    .exists(),
)


def _shared(conn: Connection, row: Row[*tuple[Any, ...]]) -> bool:
    """Whether another employee's row of ``row``'s period has its address (one lookup in
    ``ix_outbox_address``; run only when a claim missed)."""
    other = (
        select(T.c.id)
        .where(
            T.c.period == row.period,
            func.lower(T.c.recipient) == row.recipient.lower(),
            T.c.employee_id != row.employee_id,
        )
        .limit(1)
    )
    return conn.execute(other).first() is not None


def _hold(conn: Connection, row: Row[*tuple[Any, ...]]) -> None:
    """Hold ``row`` (one being claimed): another employee's row of its period has its
    address."""
    key = (row.period, row.recipient.lower())
    others = address_users(conn, [key]).get(key, set()) - {row.employee_id}
    reason = shared_refusal(row.statement_id, row.employee_id, row.recipient, others, row.period)
    conn.execute(
        update(T)
        .where(T.c.id == row.id, T.c.state == row.state)
        .values(state="held", last_error=reason, next_attempt_at=None)
    )


def _finish(engine: Engine, row_id: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(update(T).where(T.c.id == row_id, T.c.state == "sending").values(**values))


def mark_handed_over(engine: Engine, row_id: int, now: datetime) -> None:
    _finish(engine, row_id, handed_over_at=now)


def mark_sent(engine: Engine, row_id: int, now: datetime, response: str, confirmed: bool) -> None:
    _finish(
        engine,
        row_id,
        state="sent",
        sent_at=now,
        confirmed=confirmed,
        smtp_response=response[:500],
        claimed_by=None,
        last_error=None,
    )


def mark_failed(engine: Engine, row_id: int, error: str, retry_at: datetime | None) -> None:
    """Failed this time; ``retry_at`` None means no more attempts."""
    _finish(
        engine, row_id, state="failed", last_error=error, next_attempt_at=retry_at, claimed_by=None
    )


def mark_bounced(engine: Engine, row_id: int, error: str, now: datetime) -> None:
    _finish(
        engine,
        row_id,
        state="bounced",
        last_error=error,
        sent_at=None,
        next_attempt_at=None,
        claimed_by=None,
    )


def resend_unconfirmed(engine: Engine, period: str | None, only: Iterable[str]) -> int:
    """Queue again (same bytes, same Message-ID) the rows recorded as sent but unconfirmed;
    an admin's explicit choice of at-least-once for them."""
    with engine.begin() as conn:
        return conn.execute(
            update(T)
            .where(T.c.state == "sent", T.c.confirmed.is_(False), *_scope(period, only))
            .values(
                state="approved",
                confirmed=None,
                sent_at=None,
                handed_over_at=None,
                last_error="resend of an unconfirmed delivery requested",
            )
        ).rowcount


def record_bounce(engine: Engine, message_id: str, reason: str) -> bool:
    """Record a bounce that came back later (a delivery status notification)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(T)
            .where(T.c.message_id == message_id, T.c.state == "sent")
            .values(state="bounced", last_error=f"bounced after delivery: {reason}")
        ).rowcount
    return bool(done)


def status_counts(engine: Engine, period: str | None = None) -> dict[tuple[str, str], int]:
    """(period, state) -> number of rows."""
    query = select(T.c.period, T.c.state, func.count()).group_by(T.c.period, T.c.state)
    if period is not None:
        query = query.where(T.c.period == period)
    with engine.connect() as conn:
        return {(p, s): n for p, s, n in conn.execute(query)}
