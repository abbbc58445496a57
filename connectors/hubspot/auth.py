"""Access tokens: a private app's static token, or OAuth tokens refreshed before expiry.

HubSpot says a 401 is not a reliable sign that a token expired, so the OAuth token is
refreshed ``token_refresh_margin_s`` before its ``expires_in`` runs out (on the local
monotonic clock: only a duration is measured), and also on a 401 ``EXPIRED_AUTHENTICATION``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from connectors.core.errors import (
    ConnectorError,
    ConnectorFatalError,
    RetriableError,
    SessionExpired,
)
from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.settings import HubSpotOAuth, HubSpotSettings

__all__ = ["TokenSource"]


class TokenSource:
    """Keeps the API objects' access token valid."""

    def __init__(
        self,
        settings: HubSpotSettings,
        apis: Apis,
        http: HubSpotHttp,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.apis = apis
        self.http = http
        self.monotonic = monotonic
        self.refreshes = 0
        self._expires_at: float | None = None
        self._refreshing = threading.Lock()  # one refresh at a time (reads made at once)
        self._seen = threading.local()  # the refresh count each thread's last call began with
        auth = settings.auth
        if isinstance(auth, HubSpotOAuth):
            self._oauth: HubSpotOAuth | None = auth
        else:
            self._oauth = None
            apis.set_token(auth.access_token.get_secret_value())

    @property
    def can_refresh(self) -> bool:
        return self._oauth is not None

    def ensure_fresh(self) -> None:
        """Refresh the OAuth token if it is missing or about to expire (before each call)."""
        if self._oauth is None:
            return
        if not self._fresh():
            with self._refreshing:
                if not self._fresh():  # another thread may have refreshed it meanwhile
                    self._refresh(self._oauth)
        self._seen.refreshes = self.refreshes

    def refresh(self) -> None:
        """Trade the refresh token for a new access token (HubSpot said it expired). Calls
        made at once that all met the expired token refresh it once: a thread whose call
        began before another thread's refresh finds the token already new."""
        if self._oauth is None:
            return
        seen = getattr(self._seen, "refreshes", None)
        with self._refreshing:
            if seen is None or seen == self.refreshes:
                self._refresh(self._oauth)

    def _fresh(self) -> bool:
        margin = self.settings.token_refresh_margin_s
        return self._expires_at is not None and self.monotonic() < self._expires_at - margin

    def _refresh(self, oauth: HubSpotOAuth) -> None:
        kwargs = {
            "grant_type": "refresh_token",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret.get_secret_value(),
            "refresh_token": oauth.refresh_token.get_secret_value(),
        }
        if oauth.redirect_uri:
            kwargs["redirect_uri"] = oauth.redirect_uri
        started = self.monotonic()
        try:
            response = self.http.call_once(self.apis.oauth.create, **kwargs)
        except ConnectorError as exc:
            # a 429 is the token endpoint's rate limit, not a refusal: the call is retried
            if isinstance(exc, RetriableError) and not isinstance(exc, SessionExpired):
                raise
            if exc.status is not None and 400 <= exc.status < 500:
                raise ConnectorFatalError(
                    "HubSpot refused the OAuth refresh token or client credentials",
                    source=self.http.source,
                    status=exc.status,
                ) from exc
            raise
        body = response.body if isinstance(response.body, dict) else {}
        token = body.get("access_token")
        if not token:
            raise ConnectorFatalError(
                "HubSpot's token endpoint returned no access token", source=self.http.source
            )
        self.apis.set_token(str(token))
        self._expires_at = started + float(body.get("expires_in") or 1800)
        self.refreshes += 1
