"""Access tokens from Entra ID through MSAL's client-credentials flow.

MSAL (Microsoft's own library) talks to the tenant: discovery of its endpoints, then
``acquire_token_for_client`` with the ``{environment_url}/.default`` scope. MSAL caches the
token; ``current`` gets a new one (dropping MSAL's cached one) when the token is within
``token_refresh_margin_s`` of expiring or the API rejected it, so a long sync never sends
an expired token. MSAL uses the connector's own ``requests`` session (its CA bundle),
and instance discovery is off: the authority is the one configured, not looked up.

With ``auth.token_cache_file`` set, MSAL's token cache (``SerializableTokenCache``) is
kept in that file (mode 0600, replaced atomically whenever MSAL changed it), so a new
process starts from an access token still valid: it is read from the file before MSAL is
imported or set up, and such a run asks Entra ID nothing (neither the tenant's discovery
document nor a token). A token within the margin of expiring is dropped from the cache and
replaced as above. Processes sharing the file may each get a token at the same moment; the
last one written stays, and either is valid. An unreadable file is started afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
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
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.session = session
        self.source = source
        self.clock = clock
        self.wall = wall  # the epoch seconds MSAL's cache keeps a token's expiry in
        self.refreshes = 0
        self._app: Any = None
        self._cache: Any = None
        self._from_file_tried = False
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
                    token_cache=self._token_cache(),
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

    def _token_cache(self) -> Any:
        import msal

        if self._cache is None:
            self._cache = msal.SerializableTokenCache()
            path = self.settings.auth.token_cache_file
            if path is not None and path.exists():
                try:
                    self._cache.deserialize(path.read_text(encoding="utf-8"))
                    list(self._cache.search(self._cache.CredentialType.ACCESS_TOKEN))
                except (OSError, ValueError, TypeError, AttributeError):
                    self._cache = msal.SerializableTokenCache()  # unreadable: start afresh
        return self._cache

    def _from_file(self) -> None:
        """Take an access token still valid from the cache file without importing or setting
        up MSAL (a new process saves both): the file is MSAL's unified cache schema, its
        ``AccessToken`` entries keyed by app, host, tenant and scopes."""
        auth = self.settings.auth
        assert auth.token_cache_file is not None
        host = urlsplit(self.settings.authority_host).hostname or ""
        try:
            entries = orjson.loads(auth.token_cache_file.read_bytes())["AccessToken"].values()
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # none yet, or unreadable: MSAL's set-up starts it afresh
        for item in entries:
            if not isinstance(item, dict) or (
                item.get("client_id"),
                item.get("environment"),
                self.scope in str(item.get("target", "")).split(),
            ) != (auth.client_id, host, True):
                continue
            if "." not in auth.tenant_id and item.get("realm") != auth.tenant_id:
                continue  # a GUID names the tenant as the cache does (a domain does not)
            try:
                left = float(item["expires_on"]) - self.wall()
            except (KeyError, TypeError, ValueError):
                continue
            if left > self.settings.token_refresh_margin_s and item.get("secret"):
                self._token = str(item["secret"])
                self._expires_at = self.clock() + left
                return

    def _save(self) -> None:
        path = self.settings.auth.token_cache_file
        if path is None or self._cache is None or not self._cache.has_state_changed:
            return
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self._cache.serialize())
            os.replace(partial, path)
        except OSError as exc:
            raise ConnectorFatalError(
                f"cannot write the token cache file {path}", source=self.source
            ) from exc

    def current(self) -> str:
        margin = self.settings.token_refresh_margin_s
        if self.settings.auth.token_cache_file is not None and not self._from_file_tried:
            self._from_file_tried = True
            self._from_file()
        if self._token is None or self.clock() >= self._expires_at - margin:
            self._fetch()
        assert self._token is not None
        return self._token

    def invalidate(self) -> None:
        """The API refused the token: the next call gets a fresh one."""
        self._token = None
        self._expires_at = 0.0
        self._rejected = True

    def _fetch(self) -> None:
        import msal

        client = self._client()
        # MSAL would answer from its cache a token that is near its expiry or was refused
        # (a valid one was taken above): drop this app's tokens for the scope first
        cache = client.token_cache
        query = {"client_id": self.settings.auth.client_id}
        for item in list(
            cache.search(cache.CredentialType.ACCESS_TOKEN, target=[self.scope], query=query)
        ):
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
        self._save()
        self._rejected = False
        self._token = result["access_token"]
        self._expires_at = self.clock() + float(result.get("expires_in", 3600))
