"""Microsoft Entra ID, as far as a daemon app needs it: the client-credentials flow.

- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` — the tenant discovery document
  MSAL reads before its first token request (with ``instance_discovery=False``, or for a
  known host);
- ``GET /common/discovery/instance`` — instance discovery, for MSAL left at its default;
- ``POST /{tenant}/oauth2/v2.0/token`` — ``grant_type=client_credentials`` with
  ``scope=https://{org}/.default``; errors are Entra's ``{"error", "error_description",
  "error_codes"}`` with HTTP 400/401, as AADSTS errors are.

Access tokens live one hour on the sandbox clock. A second app registration
(``dynamics_guest_client_id``) gets tokens too but is no application user of the
environment: the Web API answers it 403, as Dataverse does.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.http import json_response

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["TOKEN_LIFETIME", "Grant", "TokenStore", "register"]

TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class Grant:
    client_id: str
    member: bool  # an application user of the environment
    expires: datetime


class TokenStore:
    """Live access tokens, who they were issued to, and when each expires."""

    def __init__(self, clock: Clock, lifetime: int = TOKEN_LIFETIME) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, member: bool = True) -> str:
        token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(48)
        now = self.clock.now()
        with self._lock:
            if len(self._grants) > 10_000:
                self._grants = {t: g for t, g in self._grants.items() if g.expires > now}
            self._grants[token] = Grant(client_id, member, now + timedelta(seconds=self.lifetime))
        return token

    def grant(self, token: str) -> Grant | None:
        with self._lock:
            grant = self._grants.get(token)
        if grant is None or self.clock.now() >= grant.expires:
            return None
        return grant

    def revoke(self, token: str) -> None:
        with self._lock:
            self._grants.pop(token, None)


def _entra_error(status: int, error: str, code: int, text: str) -> Response:
    return json_response(
        {
            "error": error,
            "error_description": f"AADSTS{code}: {text}",
            "error_codes": [code],
            "timestamp": "",
            "trace_id": secrets.token_hex(16),
            "correlation_id": secrets.token_hex(16),
        },
        status,
    )


def register(app: DynamicsEmulator) -> None:
    """Add the Entra ID endpoints under the emulator's host."""
    creds = app.credentials

    def openid(request: Request, tenant: str) -> Response:
        base = request.host_url.rstrip("/")
        return json_response(
            {
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "issuer": f"{base}/{tenant}/v2.0",
                "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
                "tenant_region_scope": "EU",
            }
        )

    def instance(request: Request) -> Response:
        base = request.host_url.rstrip("/")
        tenant = creds.dynamics_tenant_id
        discovery = f"{base}/{tenant}/v2.0/.well-known/openid-configuration"
        return json_response(
            {
                "tenant_discovery_endpoint": discovery,
                "api-version": "1.1",
                "metadata": [{"preferred_network": request.host, "aliases": [request.host]}],
            }
        )

    def token(request: Request, tenant: str) -> Response:
        form = request.form
        if tenant not in (creds.dynamics_tenant_id, "organizations"):
            return _entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return _entra_error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        client_id = form.get("client_id", "")
        known = {
            creds.dynamics_client_id: creds.dynamics_client_secret,
            creds.dynamics_guest_client_id: creds.dynamics_client_secret,
        }
        if client_id not in known:
            return _entra_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory.",
            )
        if form.get("client_secret") != known[client_id]:
            return _entra_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        scope = form.get("scope", "")
        resource = app.resource_url(request)
        if f"{resource}/.default" not in scope.split():
            return _entra_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier.",
            )
        member = client_id == creds.dynamics_client_id
        return json_response(
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": app.tokens.issue(client_id, member),
            }
        )

    app.add_route(
        "/<tenant>/v2.0/.well-known/openid-configuration",
        openid,
        endpoint="GET /{tenant}/v2.0/.well-known/openid-configuration",
        auth=False,
    )
    app.add_route(
        "/common/discovery/instance",
        instance,
        endpoint="GET /common/discovery/instance",
        auth=False,
    )
    app.add_route(
        "/<tenant>/oauth2/v2.0/token",
        token,
        ["POST"],
        endpoint="POST /{tenant}/oauth2/v2.0/token",
        auth=False,
    )
