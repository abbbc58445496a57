"""Zoho OAuth: the accounts server's token endpoint and the access tokens it mints.

Like Zoho, the token endpoint reads its parameters from the query string or the form body
and reports failures with **HTTP 200** and ``{"error": ...}``; clients must check for
``access_token``. Access tokens live one hour on the sandbox clock.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.http import json_response

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["SCOPE", "TOKEN_LIFETIME", "TokenStore", "register"]

TOKEN_LIFETIME = 3600
SCOPE = "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.users.READ ZohoCRM.coql.READ"


class TokenStore:
    """Live access tokens and when each expires."""

    def __init__(self, clock: Clock, lifetime: int = TOKEN_LIFETIME) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._expires: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        now = self.clock.now()
        with self._lock:
            # forget long-dead tokens so a long-running sandbox does not grow without bound
            if len(self._expires) > 10_000:
                self._expires = {t: e for t, e in self._expires.items() if e > now}
            self._expires[token] = now + timedelta(seconds=self.lifetime)
        return token

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._expires.get(token)
        return expires is not None and self.clock.now() < expires

    def revoke(self, token: str) -> None:
        with self._lock:
            self._expires.pop(token, None)


def register(app: ZohoEmulator) -> None:
    """Add the accounts server's token endpoint."""

    def token(request: Request) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        creds = app.credentials
        grant = params.get("grant_type")
        if grant == "authorization_code":
            return json_response({"error": "invalid_code"})
        if grant != "refresh_token":
            return json_response({"error": "unsupported_grant_type"})
        if (
            params.get("client_id") != creds.zoho_client_id
            or params.get("client_secret") != creds.zoho_client_secret
        ):
            return json_response({"error": "invalid_client"})
        if params.get("refresh_token") != creds.zoho_refresh_token:
            return json_response({"error": "invalid_code"})
        return json_response(
            {
                "access_token": app.tokens.issue(),
                "scope": SCOPE,
                "api_domain": request.host_url.rstrip("/"),
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
            }
        )

    app.add_route("/oauth/v2/token", token, ["POST"], endpoint="POST /oauth/v2/token", auth=False)
