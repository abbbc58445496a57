"""Queue rendered statement e-mails in the outbox: each (statement, version, recipient) once.

A version queued again is left as it is; a version whose content changed without a new
version number is a conflict (the plan results must number their changes).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from sync.mail.outbox import T

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


def enqueue(
    engine: Engine, messages: Sequence[NewMessage], now: datetime, approved: bool
) -> EnqueueReport:
    """Queue new statement versions; an already queued (id, version, recipient) is left
    as it is, and one whose content changed without a new version is a conflict."""
    report = EnqueueReport()
    ids = sorted({m.statement_id for m in messages})
    known: dict[tuple[str, int, str], str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(T.c.statement_id, T.c.version, T.c.recipient, T.c.content_hash).where(
                    T.c.statement_id.in_(ids[start : start + 500])
                )
            )
            known.update({(r[0], r[1], r[2]): r[3] for r in rows})
    fresh = []
    for m in messages:
        existing = known.get((m.statement_id, m.version, m.recipient))
        if existing is None:
            fresh.append(m)
        elif existing == m.content_hash:
            report.unchanged += 1
        else:
            report.conflicts.append(
                f"{m.statement_id} version {m.version} changed after it was queued: the "
                "plan results must give changed statements a new version"
            )
    rows = [_row(m, now, approved) for m in fresh]
    try:
        with engine.begin() as conn:
            for start in range(0, len(rows), 500):
                conn.execute(T.insert(), rows[start : start + 500])
        report.queued += len(rows)
    except IntegrityError:  # another process queued some of them meanwhile: one by one
        for row in rows:
            try:
                with engine.begin() as conn:
                    conn.execute(T.insert(), [row])
                report.queued += 1
            except IntegrityError:
                report.unchanged += 1
    return report


def _row(m: NewMessage, now: datetime, approved: bool) -> dict[str, object]:
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
        "state": "approved" if approved else "queued",
        "attempts": 0,
        "queued_at": now,
        "approved_at": now if approved else None,
        "approved_by": "auto" if approved else None,
    }
