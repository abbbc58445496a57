"""The statement outbox: one row per (statement id, version, recipient), sent at most once.

States::

    queued ──approve──► approved ──claim──► sending ──250──► sent
      │                    ▲                  │  ├── 4xx / connection lost before the
      ▼                    │                  │  │   end of data ──► failed (retried with
    held ──approve --shared-address           │  │   back-off until max attempts)
      ▲                                       │  └── 5xx ──► bounced
      └─────────── claim (shared address) ────┴── process died: recovered on restart

``held``: another employee's statement of the same period has the same address (a shared
mailbox would show one employee's pay to another). The outbox holds such a row when it is
queued and again when it is claimed (two processes may queue both at once); only an
explicit approval (``shared_address_approved_by``) releases it.

``handed_over_at`` is committed just before the final ``.`` of the SMTP DATA command: a row
still "sending" without it was provably not delivered (the server drops an unfinished
message), one with it probably was (see ``sync.mail.sender``). ``message`` holds the
zlib-compressed RFC 5322 bytes, so what was approved is exactly what is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from sync.store.types import UtcDateTime

__all__ = ["STATES", "OutboxRow"]

STATES = ("queued", "held", "approved", "sending", "sent", "failed", "bounced")


class OutboxRow(SQLModel, table=True):
    __tablename__ = "statement_outbox"
    __table_args__ = (
        UniqueConstraint("statement_id", "version", "recipient", name="uq_outbox_statement"),
        Index("ix_outbox_state", "state", "next_attempt_at"),
        Index("ix_outbox_period", "period", "employee_id"),
        # who else has this address in the period: looked up on every queue and claim
        Index("ix_outbox_address", "period", text("lower(recipient)")),
    )
    id: int | None = Field(default=None, primary_key=True)
    statement_id: str = Field(max_length=200)
    version: int
    recipient: str = Field(max_length=320)
    employee_id: str = Field(max_length=120)
    period: str = Field(max_length=40)
    locale: str = Field(max_length=10)
    subject: str = Field(max_length=500)
    message_id: str = Field(max_length=250, unique=True)
    content_hash: str = Field(max_length=64)
    message: bytes = Field(sa_type=LargeBinary)
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    queued_at: datetime = Field(sa_type=UtcDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    approved_by: str | None = Field(default=None, max_length=120)
    # who approved sending to an address another employee's statement also uses
    shared_address_approved_by: str | None = Field(default=None, max_length=120)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claimed_by: str | None = Field(default=None, max_length=200)
    handed_over_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    confirmed: bool | None = None  # sent: True = the server said 250; False = assumed
    last_error: str | None = None
    smtp_response: str | None = Field(default=None, max_length=500)
