"""The official client's API objects, built once per connector.

``HubSpot.crm.objects.basic_api`` and friends build a new ``ApiClient`` (and connection
pool) on every attribute access, so the connector keeps one of each and swaps the access
token in their configurations when it is refreshed.

The client's urllib3 pools are built with retries off: left at urllib3's default they
retry connection errors three times and obey a 429's ``Retry-After`` in full, inside
crmsync's own ``RetryPolicy`` (four requests per attempt, and waits past the policy's cap).
"""

from __future__ import annotations

from typing import Any

from urllib3.util.retry import Retry

from connectors.hubspot.settings import HubSpotSettings

__all__ = ["Apis"]

# One request per attempt; redirects are answered, not followed (HubSpot's API sends none).
_NO_RETRIES = Retry(
    total=0, redirect=False, respect_retry_after_header=False, raise_on_status=False
)


class Apis:
    """Generated API objects sharing one base URL, CA bundle and access token."""

    def __init__(self, settings: HubSpotSettings) -> None:
        from hubspot import HubSpot  # the client's packages load when a connector connects

        options: dict[str, Any] = {"host": settings.base_url.rstrip("/")}
        if settings.ca_bundle is not None:
            options["ssl_ca_cert"] = str(settings.ca_bundle)
        client = HubSpot(access_token="", retry=_NO_RETRIES, **options)
        self.basic = client.crm.objects.basic_api
        self.search = client.crm.objects.search_api
        self.batch = client.crm.objects.batch_api
        self.associations = client.crm.associations.v4.batch_api
        self.owners = client.crm.owners.owners_api
        self.pipelines = client.crm.pipelines.pipelines_api
        self.properties = client.crm.properties.core_api
        self.schemas = client.crm.schemas.core_api
        self.oauth = client.oauth.tokens_api
        self._all = (
            self.basic,
            self.search,
            self.batch,
            self.associations,
            self.owners,
            self.pipelines,
            self.properties,
            self.schemas,
            self.oauth,
        )

    def set_token(self, token: str) -> None:
        for api in self._all:
            api.api_client.configuration.access_token = token

    def close(self) -> None:
        for api in self._all:
            pool = getattr(api.api_client.rest_client, "pool_manager", None)
            if pool is not None:
                pool.clear()
