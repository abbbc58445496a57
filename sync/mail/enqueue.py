"""Queue rendered statement e-mails in the outbox: each (statement, version, recipient) once.

A version queued again is left as it is; a version whose content changed without a new
version number is a conflict (the plan results must number their changes). A message to an
address that another employee's row of the same period already uses is queued ``held``
and reported, whichever call queued the other row (see ``sync.mail.outbox``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from sync.mail.outbox import T, address_users, shared_refusal

__all__ = ["EnqueueReport", "NewMessage", "enqueue"]


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A rendered statement e-mail to queue."""

    statement_id: str
    version: int
    recipient: str
    employee_id: str
    period: str
    locale: str
    subject: str
    message_id: str
    content_hash: str
    message: bytes


@dataclass
class EnqueueReport:
    queued: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # shared addresses, one line each


def enqueue(
    engine: Engine, messages: Sequence[NewMessage], now: datetime, approved: bool
) -> EnqueueReport:
    """Queue new statement versions; an already queued (id, version, recipient) is left
    as it is, and one whose content changed without a new version is a conflict."""
    report = EnqueueReport()
    ids = sorted({m.statement_id for m in messages})
    known: dict[tuple[str, int, str], tuple[str, str, str | None]] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            found = conn.execute(
                select(
                    T.c.statement_id,
                    T.c.version,
                    T.c.recipient,
                    T.c.content_hash,
                    T.c.state,
                    T.c.last_error,
                ).where(T.c.statement_id.in_(ids[start : start + 500]))
            )
            known.update({(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in found})
        users = address_users(conn, [(m.period, m.recipient.lower()) for m in messages])
    fresh = []
    for m in messages:
        existing = known.get((m.statement_id, m.version, m.recipient))
        if existing is None:
            fresh.append(m)
        elif existing[0] == m.content_hash:
            report.unchanged += 1
            if existing[1] == "held" and existing[2]:
                report.held.append(existing[2])
        else:
            report.conflicts.append(
                f"{m.statement_id} version {m.version} changed after it was queued: the "
                "plan results must give changed statements a new version"
            )
    rows = []
    for m in fresh:
        key = (m.period, m.recipient.lower())
        using = users.setdefault(key, set())
        others = using - {m.employee_id}
        using.add(m.employee_id)  # a later message of this batch sees this one
        reason = None
        if others:
            reason = shared_refusal(m.statement_id, m.employee_id, m.recipient, others, m.period)
            report.held.append(reason)
        rows.append(_row(m, now, approved, reason))
    try:
        with engine.begin() as conn:
            for start in range(0, len(rows), 500):
                conn.execute(T.insert(), rows[start : start + 500])
        report.queued += sum(row["state"] != "held" for row in rows)
    except IntegrityError:  # another process queued some of them meanwhile: one by one
        for row in rows:
            try:
                with engine.begin() as conn:
                    conn.execute(T.insert(), [row])
                report.queued += row["state"] != "held"
            except IntegrityError:
                report.unchanged += 1
    return report


def _row(m: NewMessage, now: datetime, approved: bool, held: str | None) -> dict[str, object]:
    return {
        "statement_id": m.statement_id,
        "version": m.version,
        "recipient": m.recipient,
        "employee_id": m.employee_id,
        "period": m.period,
        "locale": m.locale,
        "subject": m.subject[:500],
        "message_id": m.message_id,
        "content_hash": m.content_hash,
        "message": zlib.compress(m.message, 6),
        "state": "held" if held else "approved" if approved else "queued",
        "last_error": held,
        "attempts": 0,
        "queued_at": now,
        "approved_at": now if approved and not held else None,
        "approved_by": "auto" if approved and not held else None,
    }
