"""Store table of identity stitching: which identity each anonymous id is linked to, why.

One row per (anonymous id, identity). ``status`` is ``linked`` when the anonymous id is one
known person's, and ``shared`` when several known people were seen on it (a family
computer, a trade-show tablet): a shared id is never used to join those people, and only
the events each of them identified count for them. ``evidence`` names what tied the id to
the person (``email``, ``phone``, ``user_id``, ``alias``), ``message_id`` the first event
that carried it and ``member`` the CRM record it matched (``source:table:remote_id``).

``event_stitch_state`` is one row: the store's change number the links cover, and the
fingerprint of the people evidence they were made with; the next stitching reads only the
events written after it, while that evidence is the same. ``event_stitch_people`` is what
that evidence was: each e-mail or phone key a known person holds, with their identity and
record, so that the next stitching, when the people changed, stitches again only the
anonymous ids whose evidence reads differently now.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.store.types import JsonDoc, UtcDateTime

__all__ = ["EventLinkRow", "EventStitchPeopleRow", "EventStitchStateRow"]


class EventLinkRow(SQLModel, table=True):
    __tablename__ = "event_links"
    __table_args__ = (UniqueConstraint("anonymous_id", "identity_id", name="uq_event_links"),)
    id: int | None = Field(default=None, primary_key=True)
    anonymous_id: str = Field(max_length=100, index=True)
    identity_id: str = Field(max_length=40, index=True)
    status: str = Field(max_length=16)
    evidence: str = Field(max_length=16)
    message_id: str = Field(max_length=64)
    member: str = Field(max_length=160)
    first_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    events: int = 0
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonDoc, nullable=False))
    run_id: int | None = None


class EventStitchStateRow(SQLModel, table=True):
    __tablename__ = "event_stitch_state"
    id: int = Field(default=1, primary_key=True)
    change_seq: int = Field(default=0, sa_type=BigInteger)
    people_digest: str = Field(max_length=32)
    stitched_at: datetime = Field(sa_type=UtcDateTime)
    run_id: int | None = None


class EventStitchPeopleRow(SQLModel, table=True):
    __tablename__ = "event_stitch_people"
    key: str = Field(primary_key=True)  # e:<e-mail key> or p:<phone key>
    identity_id: str = Field(max_length=40)
    member: str = Field(max_length=160)
