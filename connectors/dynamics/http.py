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
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import (
    ConnectorError,
    ConnectorFatalError,
    QuotaExhausted,
    RetriableError,
    SessionExpired,
)
from connectors.core.http import Timeout, network_failure
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
_BROKEN = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


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


def _parse_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).astimezone(UTC)
    except (TypeError, ValueError):
        return None


class DynamicsHttp:
    """Authenticated, retried, budgeted calls to one Dataverse environment."""

    def __init__(
        self,
        settings: DynamicsSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        self.settings = settings
        self.session = session
        self.budget = budget
        self.retry = retry
        self.source = source
        self.request_timeout: Timeout = settings.timeout_s
        self.tokens: DynamicsTokenSource | None = None  # wired by the connector
        self.last_date: datetime | None = None
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
            response = self._send(method, url, params, all_headers, body)
            return self._translate(response, method, url, allow_missing)

        return self.retry.call(once, on_session_expired=tokens.invalidate)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> requests.Response:
        self.budget.count_call()
        try:
            response = self.session.request(
                method, url, params=params, headers=headers, data=body, timeout=self.request_timeout
            )
        except _BROKEN as exc:
            raise RetriableError(
                f"Dataverse did not answer {method} {url.split('?')[0]}: {network_failure(exc)}",
                source=self.source,
            ) from exc
        except requests.RequestException as exc:
            raise ConnectorFatalError(
                f"cannot call Dataverse ({type(exc).__name__}); check environment_url and "
                "the CA bundle",
                source=self.source,
            ) from exc
        date = _parse_date(response.headers.get("Date"))
        if date is not None:
            self.last_date = date
        return response

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
            raw = response.headers.get("Retry-After")
            wait = float(raw) if raw and raw.replace(".", "", 1).isdigit() else None
            if wait is not None and wait > self.settings.quota_stop_after_s:
                raise QuotaExhausted(
                    f"Dataverse service protection limit ({code}: {message}); it asks to "
                    f"wait {wait:.0f} s, the next run resumes from the saved state",
                    **context,
                )
            raise RetriableError(
                f"Dataverse service protection limit on {where} ({code})",
                retry_after=wait,
                **context,
            )
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
