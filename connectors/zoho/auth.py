"""Zoho OAuth: refresh-token grant, refreshed before the access token expires.

The accounts server reports failures with HTTP 200 and ``{"error": ...}``, so success is
the presence of ``access_token``. The returned ``api_domain`` is the org's data centre and
always wins over the configured one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.core.errors import ConnectorConfigError, ConnectorFatalError

if TYPE_CHECKING:
    from connectors.zoho.http import ZohoHttp
    from connectors.zoho.settings import ZohoSettings

__all__ = ["ZohoToken", "ZohoTokenSource"]

# errors that mean the credentials are wrong (fix the config), not a transient failure
_CONFIG_ERRORS = {"invalid_client", "invalid_code", "invalid_client_secret", "invalid_redirect_uri"}


@dataclass(frozen=True)
class ZohoToken:
    access_token: str
    api_domain: str
    expires_at: float  # on the monotonic clock


class ZohoTokenSource:
    """Hands out a valid access token, refreshing ahead of expiry or when told it died."""

    def __init__(
        self,
        settings: ZohoSettings,
        http: ZohoHttp,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._monotonic = monotonic
        self._token: ZohoToken | None = None
        self._refreshing = threading.Lock()  # one refresh at a time (history reads at once)
        self.refreshes = 0

    def current(self) -> ZohoToken:
        token = self._token
        if token is not None and self._fresh(token):
            return token
        with self._refreshing:
            token = self._token  # another thread may have refreshed it meanwhile
            if token is not None and self._fresh(token):
                return token
            return self.refresh()

    def _fresh(self, token: ZohoToken) -> bool:
        return self._monotonic() < token.expires_at - self._settings.token_refresh_margin_s

    def invalidate(self) -> None:
        """The API said the token is invalid: the next call refreshes."""
        self._token = None

    def refresh(self) -> ZohoToken:
        s = self._settings
        form = {
            "grant_type": "refresh_token",
            "client_id": s.auth.client_id,
            "client_secret": s.auth.client_secret.get_secret_value(),
            "refresh_token": s.auth.refresh_token.get_secret_value(),
        }
        started = self._monotonic()
        body = self._http.token_request(f"{s.accounts_url.rstrip('/')}/oauth/v2/token", form)
        access = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(access, str) or not access:
            error = body.get("error") if isinstance(body, dict) else None
            message = (
                f"Zoho refused the OAuth credentials ({error}): check client_id, "
                "client_secret and refresh_token, and the accounts_url of the org's data centre"
            )
            if error in _CONFIG_ERRORS:
                raise ConnectorConfigError(message, detail=str(error))
            raise ConnectorFatalError(message, detail=str(error))
        expires_in = float(body.get("expires_in_sec") or body.get("expires_in") or 3600)
        domain = str(body.get("api_domain") or s.api_domain).rstrip("/")
        self._token = ZohoToken(access, domain, started + expires_in)
        self.refreshes += 1
        return self._token
