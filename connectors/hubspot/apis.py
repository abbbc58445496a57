"""The official client's API objects, built once per connector.

``HubSpot.crm.objects.basic_api`` and friends build a new ``ApiClient`` (and connection
pool) on every attribute access, so the connector keeps one of each and swaps the access
token in their configurations when it is refreshed.

Each generated package's client builds its own urllib3 pool; the connector gives every API
the first one's (built from the same options), so a run opens one TLS connection, not one
per API (five in an incremental sync).

The client's urllib3 pools are built with retries off: left at urllib3's default they
retry connection errors three times and obey a 429's ``Retry-After`` in full, inside
crmsync's own ``RetryPolicy`` (four requests per attempt, and waits past the policy's cap).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from urllib3.util.retry import Retry

from connectors.hubspot.settings import HubSpotSettings

__all__ = ["Apis"]

# One request per attempt; redirects are answered, not followed (HubSpot's API sends none).
_NO_RETRIES = Retry(
    total=0, redirect=False, respect_retry_after_header=False, raise_on_status=False
)


# Each API's place in the official client's discovery tree. Reaching one imports its
# generated package (models and all) and builds its ApiClient, so each is built on first use:
# an incremental sync needs five of the nine, a configuration check none.
_PATHS = {
    "basic": "crm.objects.basic_api",
    "search": "crm.objects.search_api",
    "batch": "crm.objects.batch_api",
    "associations": "crm.associations.v4.batch_api",
    "owners": "crm.owners.owners_api",
    "pipelines": "crm.pipelines.pipelines_api",
    "properties": "crm.properties.core_api",
    "schemas": "crm.schemas.core_api",
    "oauth": "oauth.tokens_api",
}


class Apis:
    """Generated API objects sharing one base URL, CA bundle and access token."""

    def __init__(self, settings: HubSpotSettings) -> None:
        from hubspot import HubSpot  # the client's packages load when a connector connects

        options: dict[str, Any] = {"host": settings.base_url.rstrip("/")}
        if settings.ca_bundle is not None:
            options["ssl_ca_cert"] = str(settings.ca_bundle)
        self._client = HubSpot(access_token="", retry=_NO_RETRIES, **options)
        self._built: dict[str, Any] = {}
        self._token = ""
        self._pool: Any = None  # the urllib3 pool every API shares
        self._building = threading.Lock()  # a page's association reads run at once

    def _api(self, name: str) -> Any:
        api = self._built.get(name)
        if api is not None:
            return api
        with self._building:
            return self._build(name)

    def _build(self, name: str) -> Any:
        api = self._built.get(name)  # another thread may have built it meanwhile
        if api is None:
            api = attrgetter(_PATHS[name])(self._client)
            api.api_client.configuration.access_token = self._token
            rest = api.api_client.rest_client
            if self._pool is None:
                self._pool = rest.pool_manager
            else:
                rest.pool_manager = self._pool
            self._built[name] = api
        return api

    @property
    def basic(self) -> Any:
        return self._api("basic")

    @property
    def search(self) -> Any:
        return self._api("search")

    @property
    def batch(self) -> Any:
        return self._api("batch")

    @property
    def associations(self) -> Any:
        return self._api("associations")

    @property
    def owners(self) -> Any:
        return self._api("owners")

    @property
    def pipelines(self) -> Any:
        return self._api("pipelines")

    @property
    def properties(self) -> Any:
        return self._api("properties")

    @property
    def schemas(self) -> Any:
        return self._api("schemas")

    @property
    def oauth(self) -> Any:
        return self._api("oauth")

    def get(self, path: str, query: dict[str, Any]) -> Callable[..., Any]:
        """A GET of an endpoint the generated APIs lack (settings, forms, e-mail events),
        through the owners API's client, which carries the token; for ``HubSpotHttp.call``."""
        client = self.owners.api_client

        def call(_preload_content: bool, _request_timeout: Any) -> Any:
            return client.call_api(
                path,
                "GET",
                {},
                list(query.items()),
                {"Accept": "application/json"},
                auth_settings=["oauth2"],
                _preload_content=_preload_content,
                _request_timeout=_request_timeout,
            )

        return call

    def set_token(self, token: str) -> None:
        with self._building:  # an API built meanwhile gets the new token too
            self._token = token
            for api in self._built.values():
                api.api_client.configuration.access_token = token

    def close(self) -> None:
        if self._pool is not None:
            self._pool.clear()
