"""What ``crmsync serve`` remembers about sign-ins, shared by every server process.

Several server processes (or one restarted) serve the same store, so what must hold
across them lives here rather than in memory: the one-time sign-in links already used
(``web_used_links``: a link works exactly once, whichever process opens it) and the
sign-in e-mails asked for recently (``web_signin_requests``, for the rate limit per
address and per client address). Only SHA-256 digests are kept, never a token, an
e-mail address or an IP address.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from sync.store.table_model import table_of
from sync.store.types import UtcDateTime

__all__ = [
    "SigninRequestRow",
    "UsedLinkRow",
    "digest",
    "record_signin_request",
    "signin_requests_since",
    "use_link_once",
]


class UsedLinkRow(SQLModel, table=True):
    """A sign-in link (or OpenID Connect state) already used, by the digest of its nonce."""

    __tablename__ = "web_used_links"
    digest: str = Field(primary_key=True, max_length=64)
    used_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


class SigninRequestRow(SQLModel, table=True):
    """One sign-in e-mail asked for: the digests of the address and of the client."""

    __tablename__ = "web_signin_requests"
    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64, index=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)


_USED: Table = table_of(UsedLinkRow)
_ASKED: Table = table_of(SigninRequestRow)


def digest(value: str, key: str) -> str:
    """The hex HMAC-SHA-256 of ``value`` under ``key`` (the server's signing key): what the
    tables keep instead of values, and not reversible by trying known addresses."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def use_link_once(engine: Engine, nonce_digest: str, now: datetime, expires_at: datetime) -> bool:
    """Mark the link used; True the first time, False if any process used it before. The
    primary key decides, so two processes racing on one link cannot both win. Rows of
    links that have expired anyway are dropped on the way."""
    with engine.begin() as connection:
        connection.execute(delete(_USED).where(_USED.c.expires_at < now))
    try:
        with engine.begin() as connection:
            connection.execute(
                _USED.insert().values(digest=nonce_digest, used_at=now, expires_at=expires_at)
            )
    except IntegrityError:
        return False
    return True


def signin_requests_since(
    engine: Engine, address_digest: str, client_digest: str, since: datetime
) -> tuple[int, int]:
    """How many sign-in e-mails were asked for since ``since`` for this address and from
    this client."""
    recent = _ASKED.c.at >= since
    with engine.connect() as connection:
        by_address = connection.execute(
            select(func.count()).where(recent, _ASKED.c.address == address_digest)
        ).scalar_one()
        by_client = connection.execute(
            select(func.count()).where(recent, _ASKED.c.client == client_digest)
        ).scalar_one()
    return int(by_address), int(by_client)


def record_signin_request(
    engine: Engine, address_digest: str, client_digest: str, now: datetime, keep: timedelta
) -> None:
    """Remember one request; requests older than ``keep`` are dropped on the way."""
    with engine.begin() as connection:
        connection.execute(delete(_ASKED).where(_ASKED.c.at < now - keep))
        connection.execute(
            _ASKED.insert().values(address=address_digest, client=client_digest, at=now)
        )
