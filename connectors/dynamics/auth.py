"""Access tokens from Entra ID through MSAL's client-credentials flow.

MSAL (Microsoft's own library) talks to the tenant: discovery of its endpoints, then
``acquire_token_for_client`` with the ``{environment_url}/.default`` scope. MSAL caches the
token; ``current`` gets a new one (dropping MSAL's cached one) when the token is within
``token_refresh_margin_s`` of expiring or the API rejected it, so a long sync never sends
an expired token. MSAL uses the connector's own ``requests`` session (its CA bundle),
and instance discovery is off: the authority is the one configured, not looked up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from connectors.core.errors import ConnectorFatalError, RetriableError
from connectors.dynamics.settings import DynamicsSettings

__all__ = ["DynamicsTokenSource"]

# Entra ID errors an admin must fix (wrong tenant, app or secret, scope)
_FATAL = {"invalid_client", "unauthorized_client", "invalid_scope", "invalid_request"}


class DynamicsTokenSource:
    def __init__(
        self,
        settings: DynamicsSettings,
        session: requests.Session,
        source: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.session = session
        self.source = source
        self.clock = clock
        self.refreshes = 0
        self._app: Any = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._rejected = False

    @property
    def scope(self) -> str:
        return f"{self.settings.environment_url.rstrip('/')}/.default"

    def _client(self) -> Any:
        # MSAL (and the requests adapters it builds) loads when a token is first needed:
        # about as much import time as the rest of the connector, which configuration
        # checks, a disabled source and commands that only read the store do without.
        import msal  # type: ignore[import-untyped]

        if self._app is None:
            auth = self.settings.auth
            authority = f"{self.settings.authority_host.rstrip('/')}/{auth.tenant_id}"
            try:
                self._app = msal.ConfidentialClientApplication(
                    auth.client_id,
                    client_credential=auth.client_secret.get_secret_value(),
                    authority=authority,
                    http_client=self.session,
                    instance_discovery=False,
                )
            except ValueError as exc:  # tenant discovery failed: an unknown tenant or host
                raise ConnectorFatalError(
                    f"cannot use Entra ID authority {authority}: check authority_host and "
                    "tenant_id",
                    source=self.source,
                    detail=str(exc),
                ) from exc
            except (requests.RequestException, msal.exceptions.MsalServiceError) as exc:
                raise RetriableError(
                    f"Entra ID did not answer at {authority}", source=self.source
                ) from exc
        return self._app

    def current(self) -> str:
        margin = self.settings.token_refresh_margin_s
        if self._token is None or self.clock() >= self._expires_at - margin:
            self._fetch(force=self._token is not None or self._rejected)
        assert self._token is not None
        return self._token

    def invalidate(self) -> None:
        """The API refused the token: the next call gets a fresh one."""
        self._token = None
        self._expires_at = 0.0
        self._rejected = True

    def _fetch(self, force: bool) -> None:
        import msal

        client = self._client()
        if force:  # MSAL would answer from its cache: drop the cached token first
            cache = client.token_cache
            for item in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(item)
        try:
            result = client.acquire_token_for_client(scopes=[self.scope])
        except (requests.RequestException, msal.exceptions.MsalServiceError) as exc:
            raise RetriableError(
                "Entra ID did not answer the token request", source=self.source
            ) from exc
        if "access_token" not in result:
            error = result.get("error", "unknown_error")
            text = str(result.get("error_description", "")).split("\n")[0]
            kind = ConnectorFatalError if error in _FATAL else RetriableError
            raise kind(
                f"Entra ID refused the client credentials ({error}); check tenant_id, "
                "client_id and client_secret",
                source=self.source,
                detail=text,
            )
        self.refreshes += 1
        self._rejected = False
        self._token = result["access_token"]
        self._expires_at = self.clock() + float(result.get("expires_in", 3600))
