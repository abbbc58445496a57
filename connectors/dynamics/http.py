"""The one boundary between the Dynamics connector and ``requests``.

Every Web API call goes through ``DynamicsHttp``: it adds the bearer token and the OData
headers, counts the call in the shared ``QuotaBudget``, retries what is transient through
the ``RetryPolicy`` (429 with the service protection limit's ``Retry-After``, 5xx, broken
connections; a 401 gets a fresh token first), and turns statuses into
``connectors.core.errors`` by the table below. An expired change-tracking token is its own
error (``DeltaExpired``): the reader answers it with a full read; so is a 403 for a missing
privilege on one table (``AccessDenied``), which fails the stream and not the source. Messages carry
Dataverse's error code, never a token or secret.

Plain ``requests`` rather than Microsoft's ``PowerPlatform-Dataverse-Client`` (read at
1.1.0): that client pages ``@odata.nextLink`` with ``Prefer: odata.maxpagesize`` for us but
has no change-tracking read (no ``Prefer: odata.track-changes``, no ``@odata.deltaLink`` or
``$deletedEntity``), which is how this connector reads incrementally, and its updates and
``$batch`` parts always send ``If-Match: *``, so a row's own ETag cannot guard a write. It
takes an azure-identity ``TokenCredential`` (MSAL underneath, plus azure-core and pandas as
dependencies); this connector uses MSAL directly. The peer-client check
(``bench/peers/run.py --clients dataverse-client``) runs that client against the emulator.
The fields, the send and the 429 wait are ``connectors.core.rest``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import (
    ConnectorError,
    ConnectorFatalError,
    RetriableError,
    SessionExpired,
)
from connectors.core.rest import RestHttp
from connectors.core.retry import RetryPolicy

if TYPE_CHECKING:
    from connectors.dynamics.auth import DynamicsTokenSource
    from connectors.dynamics.settings import DynamicsSettings

__all__ = [
    "STATUS_ACTIONS",
    "AccessDenied",
    "DeltaExpired",
    "DynamicsHttp",
    "DynamicsResponse",
]

STATUS_ACTIONS: dict[int, str] = {
    200: "ok",
    201: "ok",
    204: "ok",
    400: "fatal",
    401: "session",
    403: "fatal",
    404: "missing",
    412: "fatal",
    429: "rate_limited",
    500: "retry",
    502: "retry",
    503: "retry",
    504: "retry",
}
EXPIRED_DELTA = "0x80044352"
# 403 for want of a privilege on one table (the application user's security role): the
# other tables stay readable, so only the stream reading it fails
MISSING_PRIVILEGE = "0x80040220"


class DeltaExpired(ConnectorFatalError):
    """The change-tracking token is older than the environment keeps changes."""


class AccessDenied(ConnectorError):
    """The application user lacks the privilege to read one table: that stream fails,
    the others go on."""


@dataclass(frozen=True)
class DynamicsResponse:
    status: int
    body: Any
    headers: Mapping[str, str]
    content: bytes


class DynamicsHttp(RestHttp["DynamicsSettings"]):
    """Authenticated, retried, budgeted calls to one Dataverse environment."""

    crm = "Dataverse"
    address_setting = "environment_url"

    def __init__(
        self,
        settings: DynamicsSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        super().__init__(settings, session, budget, retry, source)
        self.tokens: DynamicsTokenSource | None = None  # wired by the connector
        self.root = f"{settings.environment_url.rstrip('/')}/api/data/{settings.api_version}/"

    def url_for(self, path_or_url: str) -> str:
        """The full URL of a path under the API root, or of a next/delta link the service
        gave. A link is re-rooted on the configured environment: the service's links name
        the host it answered on, and a stream's state keeps them across runs, so a state
        outlives a change of the environment's address (an org renamed or moved, a sandbox
        on a new port) only if the part below the API root is what counts."""
        if not path_or_url.startswith("http"):
            return self.root + path_or_url
        _, marker, below = path_or_url.partition(urlsplit(self.root).path)
        return self.root + below if marker else path_or_url

    def call(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | None = None,
        allow_missing: bool = False,
    ) -> DynamicsResponse:
        """Call a path under the API root (or a full next/delta link)."""
        assert self.tokens is not None
        tokens = self.tokens
        url = self.url_for(path_or_url)

        def once() -> DynamicsResponse:
            self.budget.check()
            all_headers = {
                "Authorization": f"Bearer {tokens.current()}",
                "Accept": "application/json",
                "OData-MaxVersion": "4.0",
                "OData-Version": "4.0",
            }
            all_headers.update(headers or {})
            body = orjson.dumps(json) if json is not None else data
            if json is not None:
                all_headers["Content-Type"] = "application/json"
            where = f"{method} {url.split('?')[0]}"
            response = self._request(
                method, url, where, params=params, headers=all_headers, data=body
            )
            return self._translate(response, method, url, allow_missing)

        return self.retry.call(once, on_session_expired=tokens.invalidate)

    def _translate(
        self, response: requests.Response, method: str, url: str, allow_missing: bool
    ) -> DynamicsResponse:
        status = response.status_code
        action = STATUS_ACTIONS.get(status) or ("retry" if status >= 500 else "fatal")
        body: Any = None
        if response.content and "json" in response.headers.get("Content-Type", ""):
            try:
                body = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                body = None
        if action == "ok" or (action == "missing" and allow_missing):
            return DynamicsResponse(status, body, response.headers, response.content)
        error = (body or {}).get("error") if isinstance(body, dict) else None
        code = (error or {}).get("code")
        message = (error or {}).get("message") or response.reason
        where = f"{method} {url.split('?')[0].removeprefix(self.root)}"
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": str(body)}
        if action == "session":
            raise SessionExpired(f"Dataverse rejected the access token on {where}", **context)
        if action == "rate_limited":
            note = f" (service protection limit {code}: {message})"
            self._rate_limited(response, where, context, note)
        if action == "retry":
            raise RetriableError(f"Dataverse answered HTTP {status} on {where}", **context)
        if code == EXPIRED_DELTA:
            raise DeltaExpired(f"the change-tracking token expired on {where}", **context)
        if status == 403 and code == MISSING_PRIVILEGE:
            raise AccessDenied(
                f"the application user may not read this table: Dataverse refused {where} "
                f"(HTTP 403 {code}: {message}); give its security role the Read privilege "
                "on the table",
                **context,
            )
        kind: type[ConnectorError] = ConnectorFatalError
        raise kind(f"Dataverse refused {where}: HTTP {status} {code}: {message}", **context)
