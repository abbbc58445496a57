"""Access tokens (sessions) and the sandbox's JWT signing key.

Sessions live two hours on the sandbox clock, like Salesforce's default session timeout.
The RSA key pair stands in for the certificate uploaded to a connected app: the emulator
verifies JWT bearer assertions with the public half, and clients sign with the private
half (``jwt_private_key_pem``).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.clock import Clock

__all__ = ["SESSION_LIFETIME", "Session", "TokenStore", "jwt_private_key_pem", "jwt_public_key"]

SESSION_LIFETIME = timedelta(hours=2)

_key_lock = threading.Lock()
_key: rsa.RSAPrivateKey | None = None


def _private_key() -> rsa.RSAPrivateKey:
    global _key
    with _key_lock:
        if _key is None:
            _key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _key


def jwt_private_key_pem() -> bytes:
    """PEM (PKCS#8) of the key the sandbox's connected app trusts for JWT bearer logins."""
    return _private_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def jwt_public_key() -> rsa.RSAPublicKey:
    return _private_key().public_key()


@dataclass
class Session:
    """One access token and who it belongs to."""

    token: str
    user_id: str
    issued_at: datetime
    expires_at: datetime
    revoked: bool = False


class TokenStore:
    """Issued access tokens, checked on every REST call."""

    def __init__(self, clock: Clock, org_id: str) -> None:
        self.clock = clock
        self.org_id = org_id
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: str) -> Session:
        now = self.clock.now()
        # Shape of a real session id: org id, "!", then an opaque secret.
        token = f"{self.org_id[:15]}!AQ{secrets.token_urlsafe(72)}"
        session = Session(token, user_id, now, now + SESSION_LIFETIME)
        with self._lock:
            self._sessions[token] = session
        return session

    def lookup(self, token: str) -> Session | None:
        """The session if ``token`` is known, not revoked and not expired."""
        with self._lock:
            session = self._sessions.get(token)
        if session is None or session.revoked or self.clock.now() >= session.expires_at:
            return None
        return session

    def is_valid(self, token: str) -> bool:
        return self.lookup(token) is not None

    def revoke(self, token: str) -> None:
        with self._lock:
            session = self._sessions.get(token)
            if session is not None:
                session.revoked = True
