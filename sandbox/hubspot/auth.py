"""HubSpot authentication: the private-app token and OAuth access tokens.

Private-app tokens never expire. OAuth access tokens live 1800 s on the sandbox clock;
``POST /oauth/v1/token`` trades the refresh token for a new one (the refresh token itself
is not rotated, as in HubSpot).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.credentials import SandboxCredentials
from sandbox.http import EmulatorError, json_response
from sandbox.hubspot.errors import correlation_id, hs_error
from sandbox.hubspot.render import iso

if TYPE_CHECKING:
    from sandbox.clock import Clock
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["TOKEN_LIFETIME", "Caller", "TokenStore", "register"]

TOKEN_LIFETIME = 1800
AUTH_FAILURE_HEADERS = {"x-hubspot-auth-failure": "401 Unauthorized"}
_NOT_FOUND_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


@dataclass(frozen=True)
class Caller:
    """Who made a request: the app (for rate limits) and the token used."""

    app: str
    token: str
    oauth: bool


class TokenStore:
    """Issued OAuth access tokens and their expiry instants."""

    def __init__(self, credentials: SandboxCredentials, clock: Clock) -> None:
        self.credentials = credentials
        self.clock = clock
        self._expiry: dict[str, datetime] = {}
        self._serial = itertools.count()
        self._lock = threading.Lock()

    def issue(self) -> str:
        """Mint an access token valid for 1800 s from now (sandbox clock)."""
        with self._lock:
            serial = next(self._serial)
            seed = f"{self.credentials.hubspot_client_id}|{serial}".encode()
            token = "CN" + hashlib.sha256(seed).hexdigest()[:62]
            self._expiry[token] = self.clock.now() + timedelta(seconds=TOKEN_LIFETIME)
        return token

    def revoke(self, token: str) -> bool:
        """Make ``token`` expire now. False for tokens that cannot expire."""
        with self._lock:
            if token not in self._expiry:
                return False
            self._expiry[token] = min(self._expiry[token], self.clock.now())
            return True

    def authenticate(self, request: Request) -> Caller:
        """The caller, or raise the 401 HubSpot sends."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise self._invalid()
        if token == self.credentials.hubspot_private_app_token:
            return Caller(app="private-app", token=token, oauth=False)
        with self._lock:
            expiry = self._expiry.get(token)
        if expiry is None:
            raise self._invalid()
        now = self.clock.now()
        if now >= expiry:
            raise self.expired(token, expiry, now)
        return Caller(app=self.credentials.hubspot_client_id, token=token, oauth=True)

    def expired(
        self, token: str, expiry: datetime | None = None, now: datetime | None = None
    ) -> EmulatorError:
        """The 401 for an expired OAuth token."""
        now = now or self.clock.now()
        if expiry is None:
            with self._lock:
                expiry = self._expiry.get(token, now)
        ago = int((now - expiry).total_seconds())
        return hs_error(
            401,
            f"The OAuth token used to make this call expired {ago} second(s) ago.",
            "EXPIRED_AUTHENTICATION",
            AUTH_FAILURE_HEADERS,
            context={"expire time": [iso(expiry)]},
        )

    @staticmethod
    def _invalid() -> EmulatorError:
        return hs_error(401, _NOT_FOUND_MESSAGE, "INVALID_AUTHENTICATION", AUTH_FAILURE_HEADERS)


def _oauth_error(status: str, message: str) -> Response:
    # The OAuth endpoint puts its error code in ``status`` rather than ``category``.
    return json_response(
        {"status": status, "message": message, "correlationId": correlation_id()}, 400
    )


def token(app: HubSpotEmulator, request: Request) -> Response:
    form = request.form
    creds = app.credentials
    grant = form.get("grant_type", "")
    if grant != "refresh_token":
        return _oauth_error("BAD_GRANT_TYPE", "missing or unsupported grant_type")
    if form.get("client_id") != creds.hubspot_client_id:
        return _oauth_error("BAD_CLIENT_ID", "missing or unknown client_id")
    if form.get("client_secret") != creds.hubspot_client_secret:
        return _oauth_error("BAD_CLIENT_SECRET", "missing or invalid client_secret")
    if form.get("refresh_token") != creds.hubspot_refresh_token:
        return _oauth_error("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
    return json_response(
        {
            "token_type": "bearer",
            "refresh_token": creds.hubspot_refresh_token,
            "access_token": app.tokens.issue(),
            "expires_in": TOKEN_LIFETIME,
        }
    )


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/oauth/v1/token",
        lambda request: token(app, request),
        ["POST"],
        endpoint="POST /oauth/v1/token",
        auth=False,
    )
