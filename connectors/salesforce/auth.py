"""Salesforce OAuth: get an access token by the configured flow, refresh it before expiry.

Flows: client credentials (HTTP Basic, the default), refresh token, username-password
(password + security token), JWT bearer (RS256; ``exp`` from the server's clock, never the
local one) and a static ``access_token``. Salesforce tokens carry no expiry, so the org's
session timeout (``session_lifetime_s``) is assumed and the token is renewed a margin
before it; a 401 also renews it (``invalidate``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.core.errors import ConnectorConfigError, ConnectorFatalError

if TYPE_CHECKING:
    from connectors.salesforce.http import SalesforceHttp
    from connectors.salesforce.settings import SalesforceSettings

__all__ = ["JWT_GRANT", "SalesforceToken", "SalesforceTokenSource"]

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Salesforce accepts JWT assertions expiring at most three minutes ahead
_JWT_LIFETIME = timedelta(seconds=170)
# OAuth errors that mean the configuration is wrong rather than a passing failure
_CONFIG_ERRORS = {
    "invalid_client_id",
    "invalid_client",
    "invalid_grant",
    "unsupported_grant_type",
    "invalid_request",
}


@dataclass(frozen=True)
class SalesforceToken:
    access_token: str
    instance_url: str
    expires_at: float  # on the monotonic clock
    issued_at: datetime | None = None  # the server's clock when it issued the token


class SalesforceTokenSource:
    """Hands out a valid access token, renewing ahead of expiry or when told it died."""

    def __init__(
        self,
        settings: SalesforceSettings,
        http: SalesforceHttp,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic
        self._token: SalesforceToken | None = None
        self.refreshes = 0

    def current(self) -> SalesforceToken:
        token = self._token
        margin = self._settings.token_refresh_margin_s
        if token is None or self._monotonic() >= token.expires_at - margin:
            token = self.refresh()
        return token

    def login_time(self) -> datetime | None:
        """Log in now if there is no token yet; the server's time of that login, if any."""
        # a JWT assertion is stamped from the server's clock: that flow reads it first
        if self._token is not None or self._settings.auth.flow in ("access_token", "jwt"):
            return None
        return self.current().issued_at

    def invalidate(self) -> None:
        """The API said the session is invalid: the next call gets a new token."""
        self._token = None

    def refresh(self) -> SalesforceToken:
        s = self._settings
        started = self._monotonic()
        if s.auth.flow == "access_token":
            if self._token is not None or self.refreshes:
                raise ConnectorFatalError(
                    "the configured Salesforce access_token expired or was revoked; configure "
                    "an OAuth flow (client_credentials, refresh_token, jwt) to renew it"
                )
            given = s.auth.access_token.get_secret_value() if s.auth.access_token else ""
            body: dict[str, Any] = {"access_token": given, "instance_url": s.instance_url}
        else:
            body = self._request()
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise ConnectorFatalError("the Salesforce token endpoint returned no access_token")
        instance = str(body.get("instance_url") or s.instance_url).rstrip("/")
        self._token = SalesforceToken(
            access, instance, started + s.session_lifetime_s, _issued_at(body.get("issued_at"))
        )
        self.refreshes += 1
        return self._token

    def _request(self) -> dict[str, Any]:
        s = self._settings
        a = s.auth
        form: dict[str, str] = {}
        basic: tuple[str, str] | None = None
        if a.flow == "client_credentials":
            form["grant_type"] = "client_credentials"
            basic = (a.client_id or "", _secret(a.client_secret))
        elif a.flow == "refresh_token":
            form.update(
                grant_type="refresh_token",
                client_id=a.client_id or "",
                client_secret=_secret(a.client_secret),
                refresh_token=_secret(a.refresh_token),
            )
        elif a.flow == "password":
            form.update(
                grant_type="password",
                client_id=a.client_id or "",
                client_secret=_secret(a.client_secret),
                username=a.username or "",
                password=_secret(a.password) + _secret(a.security_token),
            )
        else:
            form.update(grant_type=JWT_GRANT, assertion=self._assertion())
        response = self._http.raw("login", "POST", s.resolved_token_url, data=form, auth=basic)
        with response:
            try:
                body = response.json()
            except ValueError:
                body = {}
            status = response.status_code
        if status == 200 and isinstance(body, dict):
            return body
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        message = (
            f"Salesforce refused the {a.flow} login ({error}: {description}); check the "
            "connected app's client_id/secret and the user's credentials in the source's auth"
        )
        if error in _CONFIG_ERRORS:
            raise ConnectorConfigError(message, status=status, detail=str(error))
        raise ConnectorFatalError(message, status=status, detail=str(error))

    def _assertion(self) -> str:
        a = self._settings.auth
        if a.private_key is not None:
            key = a.private_key.get_secret_value()
        else:
            path = a.private_key_file
            try:
                key = path.read_text() if path is not None else ""
            except OSError as exc:
                raise ConnectorConfigError(
                    f"cannot read the JWT private_key_file {path}: {exc.strerror}"
                ) from exc
        now = self._http.server_time()
        claims = {
            "iss": a.client_id,
            "sub": a.username,
            "aud": a.audience,
            "exp": int((now + _JWT_LIFETIME).timestamp()),
        }
        import jwt  # only the JWT flow signs (with cryptography): loaded on use

        try:
            return jwt.encode(claims, key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ConnectorConfigError("the JWT private key is not a valid RSA PEM key") from exc


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def _issued_at(value: Any) -> datetime | None:
    """``issued_at`` of a token response: epoch milliseconds as a string."""
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError):
        return None
