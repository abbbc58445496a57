"""The one boundary between the Zoho connector and ``requests``.

Every call goes through ``ZohoHttp``: it adds the ``Zoho-oauthtoken`` header, counts the
call in the ``QuotaBudget`` (fed from ``X-RATELIMIT-*`` headers), retries what is
transient through the ``RetryPolicy`` (refreshing the token when Zoho says it is invalid)
and turns statuses and ``requests`` exceptions into ``connectors.core.errors`` by the
table below. Messages carry Zoho's error code, never a token or secret. The fields and the
counted send are ``connectors.core.rest``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from connectors.core.rest import RestHttp
from connectors.core.retry import RetryPolicy

if TYPE_CHECKING:
    from connectors.zoho.auth import ZohoTokenSource
    from connectors.zoho.settings import ZohoSettings

__all__ = ["STATUS_ACTIONS", "ZohoHttp", "ZohoResponse"]

# HTTP status -> what to do; anything else: 5xx retry, other 4xx fatal
STATUS_ACTIONS: dict[int, str] = {
    200: "ok",
    201: "ok",
    202: "ok",
    207: "ok",
    204: "empty",
    304: "empty",
    400: "fatal",
    401: "session",
    403: "fatal",
    404: "fatal",
    405: "fatal",
    429: "rate_limited",
    500: "retry",
    502: "retry",
    503: "retry",
    504: "retry",
}
# 401 codes that a fresh token cures; any other 401 (scope mismatch...) is fatal
_SESSION_CODES = {"INVALID_TOKEN", "AUTHENTICATION_FAILURE", None}


@dataclass(frozen=True)
class ZohoResponse:
    status: int
    body: Any
    date: datetime | None

    @property
    def empty(self) -> bool:
        return self.body is None


def _json(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


class ZohoHttp(RestHttp["ZohoSettings"]):
    """Authenticated, retried, budgeted calls to one Zoho org."""

    crm = "Zoho"
    address_setting = "accounts_url and api_domain"

    def __init__(
        self,
        settings: ZohoSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        super().__init__(settings, session, budget, retry, source)
        self.tokens: ZohoTokenSource | None = None  # wired by the connector

    # -- public ------------------------------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        item_results: bool = False,
    ) -> ZohoResponse:
        """Call ``/crm/{version}{path}``; ``item_results`` accepts a 400 carrying per-item
        results (a write whose every record failed)."""
        assert self.tokens is not None
        tokens = self.tokens

        def once() -> ZohoResponse:
            self.budget.check()
            token = tokens.current()
            url = f"{token.api_domain}/crm/{self.settings.api_version}{path}"
            all_headers = {"Authorization": f"Zoho-oauthtoken {token.access_token}"}
            all_headers.update(headers or {})
            response = self._send(method, url, params=params, headers=all_headers, json=json)
            self._observe(response)
            return self._translate(response, path, item_results)

        return self.retry.call(once, on_session_expired=tokens.invalidate)

    def token_request(self, url: str, form: Mapping[str, str]) -> Any:
        """POST the token endpoint (form body); returns its JSON whatever it says."""

        def once() -> Any:
            response = self._send("POST", url, data=form)
            action = self._action(response.status_code)
            if action in ("retry", "rate_limited"):
                raise RetriableError(
                    f"Zoho accounts server answered HTTP {response.status_code}; retrying",
                    retry_after=self._retry_after(response, None),
                    source=self.source,
                    status=response.status_code,
                )
            body = _json(response)
            if body is None:
                raise ConnectorFatalError(
                    f"Zoho accounts server answered HTTP {response.status_code} without JSON",
                    source=self.source,
                    status=response.status_code,
                )
            return body

        return self.retry.call(once)

    # -- internals ---------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Any = None,
    ) -> requests.Response:
        if json is not None:
            data = orjson.dumps(json)
            headers = {**(headers or {}), "Content-Type": "application/json"}
        where = f"{method} {url.split('?')[0]}"
        return self._request(method, url, where, params=params, headers=headers, data=data)

    def _observe(self, response: requests.Response) -> None:
        limit = response.headers.get("X-RATELIMIT-LIMIT")
        remaining = response.headers.get("X-RATELIMIT-REMAINING")
        if limit and remaining and limit.isdigit() and remaining.isdigit():
            self.budget.observe(int(limit) - int(remaining), int(limit))

    @staticmethod
    def _action(status: int) -> str:
        action = STATUS_ACTIONS.get(status)
        if action is None:
            action = "retry" if status >= 500 else ("ok" if status < 300 else "fatal")
        return action

    def _retry_after(self, response: requests.Response, body: Any) -> float | None:
        raw = response.headers.get("Retry-After")
        if raw is None and isinstance(body, dict):
            raw = (body.get("details") or {}).get("retry_after")
        try:
            return float(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None

    def _translate(self, response: requests.Response, path: str, items: bool) -> ZohoResponse:
        status = response.status_code
        action = self._action(status)
        if action == "empty":
            return ZohoResponse(status, None, self.last_date)
        body = _json(response)
        if action == "ok" or (
            items and isinstance(body, dict) and ("data" in body or "fields" in body)
        ):
            return ZohoResponse(status, body, self.last_date)
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        where = f"{response.request.method} {path}"
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": str(body)}
        if action == "session" and code in _SESSION_CODES:
            raise SessionExpired(f"Zoho access token rejected on {where}; refreshing", **context)
        if action == "rate_limited":
            wait = self._retry_after(response, body)
            if wait is not None and wait > self.settings.quota_stop_after_s:
                raise QuotaExhausted(
                    f"Zoho API credits are used up ({message}); the next run resumes "
                    f"from the saved state (Zoho asks to wait {wait:.0f} s)",
                    **context,
                )
            raise RetriableError(f"Zoho rate limit on {where}", retry_after=wait, **context)
        if action == "retry":
            raise RetriableError(f"Zoho answered HTTP {status} on {where}", **context)
        error: type[ConnectorError] = ConnectorFatalError
        raise error(f"Zoho refused {where}: HTTP {status} {code}: {message}", **context)
