"""``POST /services/oauth2/token``: the four server-to-server OAuth flows.

client_credentials (HTTP Basic or form fields), refresh_token, JWT bearer (RS256
assertion, ``iss`` = client id, ``sub`` = username, ``aud`` = a login URL or this token
URL, ``exp`` at most three minutes ahead on the sandbox clock) and username-password
(password + security token). Failures answer 400 with OAuth's ``{"error",
"error_description"}`` body, never Salesforce's REST error array.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.salesforce.tokens import jwt_public_key

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["register"]

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
_MAX_JWT_AHEAD = timedelta(minutes=3)


class _OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def register(app: SalesforceEmulator) -> None:
    def token(request: Request) -> Response:
        form = request.form
        try:
            grant = form.get("grant_type")
            if not grant:
                raise _OAuthError("invalid_request", "grant type is missing")
            if grant == "client_credentials":
                body = _client_credentials(app, request)
            elif grant == "refresh_token":
                body = _refresh(app, request)
            elif grant == JWT_GRANT:
                body = _jwt_bearer(app, request)
            elif grant == "password":
                body = _password(app, request)
            else:
                raise _OAuthError("unsupported_grant_type", "grant type not supported")
        except _OAuthError as exc:
            return json_response(
                {"error": exc.error, "error_description": exc.description}, exc.status
            )
        return json_response(body)

    app.add_route(
        "/services/oauth2/token",
        token,
        ("POST",),
        endpoint="POST /services/oauth2/token",
        auth=False,
    )


def _check_client(app: SalesforceEmulator, client_id: str | None, secret: str | None) -> None:
    creds = app.credentials
    if client_id != creds.salesforce_client_id:
        raise _OAuthError("invalid_client_id", "client identifier invalid")
    if secret is not None and not hmac.compare_digest(secret, creds.salesforce_client_secret):
        raise _OAuthError("invalid_client", "invalid client credentials")


def _client_credentials(app: SalesforceEmulator, request: Request) -> dict[str, Any]:
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = auth.username, auth.password
    else:
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    if secret is None:
        raise _OAuthError("invalid_client", "invalid client credentials")
    _check_client(app, client_id, secret)
    return _grant(app, request, scope=None)


def _refresh(app: SalesforceEmulator, request: Request) -> dict[str, Any]:
    form = request.form
    _check_client(app, form.get("client_id"), form.get("client_secret"))
    supplied = form.get("refresh_token") or ""
    if not hmac.compare_digest(supplied, app.credentials.salesforce_refresh_token):
        raise _OAuthError("invalid_grant", "expired access/refresh token")
    return _grant(app, request, scope="api refresh_token")


def _password(app: SalesforceEmulator, request: Request) -> dict[str, Any]:
    form = request.form
    creds = app.credentials
    _check_client(app, form.get("client_id"), form.get("client_secret") or "")
    expected = creds.salesforce_password + creds.salesforce_security_token
    if form.get("username") != creds.salesforce_username or not hmac.compare_digest(
        form.get("password") or "", expected
    ):
        raise _OAuthError("invalid_grant", "authentication failure")
    return _grant(app, request, scope=None)


def _jwt_bearer(app: SalesforceEmulator, request: Request) -> dict[str, Any]:
    assertion = request.form.get("assertion") or ""
    token_url = request.host_url.rstrip("/") + "/services/oauth2/token"
    audiences = [*_AUDIENCES, request.host_url.rstrip("/"), token_url]
    now = app.clock.now()
    try:
        claims = jwt.decode(
            assertion,
            jwt_public_key(),
            algorithms=["RS256"],
            audience=audiences,
            # exp is checked against the sandbox clock below, not the machine's
            options={"require": ["iss", "sub", "aud", "exp"], "verify_exp": False},
        )
    except jwt.InvalidAudienceError as exc:
        raise _OAuthError("invalid_grant", "audience is invalid") from exc
    except jwt.PyJWTError as exc:
        raise _OAuthError("invalid_grant", "invalid assertion") from exc
    exp = int(claims["exp"])
    if exp <= now.timestamp():
        raise _OAuthError("invalid_grant", "expired authorization code")
    if exp > (now + _MAX_JWT_AHEAD).timestamp() + 1:
        raise _OAuthError("invalid_grant", "invalid assertion")
    if claims["iss"] != app.credentials.salesforce_client_id:
        raise _OAuthError("invalid_client_id", "client identifier invalid")
    if claims["sub"] != app.credentials.salesforce_username:
        raise _OAuthError("invalid_grant", "user hasn't approved this consumer")
    return _grant(app, request, scope="api")


def _grant(app: SalesforceEmulator, request: Request, scope: str | None) -> dict[str, Any]:
    session = app.tokens.issue(app.integration_user_id())
    base = request.host_url.rstrip("/")
    identity = f"{base}/id/{app.credentials.salesforce_org_id}/{session.user_id}"
    issued_at = str(int(session.issued_at.timestamp() * 1000))
    digest = hmac.new(
        app.credentials.salesforce_client_secret.encode(),
        (identity + issued_at).encode(),
        hashlib.sha256,
    ).digest()
    body: dict[str, Any] = {
        "access_token": session.token,
        "instance_url": base,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": base64.b64encode(digest).decode(),
    }
    if scope is not None:
        body["scope"] = scope
    return body
