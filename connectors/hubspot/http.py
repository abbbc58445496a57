"""The one boundary between hubspot-api-client and crmsync's error tree.

Every API call goes through ``HubSpotHttp.call``: it checks the quota budget, makes the
call with ``_preload_content=False`` (the raw body is parsed with orjson, far cheaper than
the client's model deserialisation), feeds the ``X-HubSpot-RateLimit-Daily*`` headers to
the budget, and translates ``ApiException`` and urllib3 errors through ``_ACTIONS``.
Retries (``RetryPolicy``) and token refresh on ``EXPIRED_AUTHENTICATION`` wrap each call.
"""

from __future__ import annotations

import email.utils
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import urllib3

from connectors.core.budget import QuotaBudget
from connectors.core.errors import (
    ConnectorError,
    ConnectorFatalError,
    QuotaExhausted,
    RetriableError,
    SessionExpired,
    SkippableRecordError,
)
from connectors.core.http import Timeout, network_failure
from connectors.core.retry import RetryPolicy

if TYPE_CHECKING:
    from hubspot.crm.objects.exceptions import ApiException

    from connectors.hubspot.auth import TokenSource

__all__ = ["ApiResponse", "HubSpotHttp"]


# The generated API packages the connector calls (see apis.py), each with its own
# ``ApiException`` class (all of the same shape).
_API_PACKAGES = (
    "hubspot.crm.objects",
    "hubspot.crm.associations.v4",
    "hubspot.crm.owners",
    "hubspot.crm.pipelines",
    "hubspot.crm.properties",
    "hubspot.crm.schemas",
    "hubspot.oauth",
)


def _api_exceptions() -> tuple[type[ApiException], ...]:
    """The ``ApiException`` classes of the API packages loaded so far: only a loaded one can
    have raised. Importing the others here would load packages the run never calls (the
    client's packages are large; ``Apis`` builds each API on first use)."""
    loaded = (sys.modules.get(f"{package}.exceptions") for package in _API_PACKAGES)
    return tuple(module.ApiException for module in loaded if module is not None)


# status -> what the caller does next (5xx and 530 are "retry" via _action()).
_ACTIONS: dict[int, str] = {
    400: "skip",
    401: "auth",
    403: "fatal",
    404: "fatal",
    409: "skip",
    414: "fatal",
    422: "skip",
    429: "rate",
}
# Waits when HubSpot sends no Retry-After, per rate-limit policy (seconds).
_POLICY_WAITS = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}


@dataclass(frozen=True)
class ApiResponse:
    """A decoded response: status, headers and the JSON body (``None`` when empty)."""

    status: int
    headers: dict[str, str]
    body: Any

    @property
    def date(self) -> datetime | None:
        raw = self.headers.get("date")
        return email.utils.parsedate_to_datetime(raw) if raw else None


def _action(status: int) -> str:
    if status >= 500 or status == 0:
        return "retry"
    return _ACTIONS.get(status, "fatal")


def _json(raw: bytes | str | None) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


class HubSpotHttp:
    """Makes calls through the official client with retries, quota and error translation."""

    def __init__(
        self,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
        timeout_s: float,
    ) -> None:
        self.budget = budget
        self.retry = retry
        self.source = source
        self.request_timeout: Timeout = timeout_s
        self.tokens: TokenSource | None = None
        self.last: ApiResponse | None = None
        self.calls = 0
        self._counting = threading.Lock()  # a page's association reads run at once

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ApiResponse:
        """Call a generated API method; retried, refreshed and translated."""
        tokens = self.tokens
        refresh = tokens.refresh if tokens is not None and tokens.can_refresh else None
        return self.retry.call(lambda: self._once(fn, args, kwargs), on_session_expired=refresh)

    def call_once(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ApiResponse:
        """One attempt, no retry (the token endpoint)."""
        return self._once(fn, args, kwargs, authenticated=False)

    def _once(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        authenticated: bool = True,
    ) -> ApiResponse:
        self.budget.check()
        if authenticated and self.tokens is not None:
            self.tokens.ensure_fresh()
        self.budget.count_call()
        with self._counting:
            self.calls += 1
        try:
            raw = fn(*args, _preload_content=False, _request_timeout=self.request_timeout, **kwargs)
            try:
                data = raw.data
            finally:
                raw.release_conn()
            response = ApiResponse(raw.status, _headers(raw.headers), _json(data))
        except _api_exceptions() as exc:
            response = ApiResponse(exc.status or 0, _headers(exc.headers), _json(exc.body))
            self._observe(response)
            raise self._translate(response, exc.reason) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise RetriableError(
                f"HubSpot did not answer: {network_failure(exc)}", source=self.source
            ) from exc
        self._observe(response)
        self.last = response
        return response

    def _observe(self, response: ApiResponse) -> None:
        daily = response.headers.get("x-hubspot-ratelimit-daily")
        left = response.headers.get("x-hubspot-ratelimit-daily-remaining")
        if daily and left and daily.isdigit() and left.isdigit():
            self.budget.observe(int(daily) - int(left), int(daily))

    def _translate(self, response: ApiResponse, reason: Any) -> ConnectorError:
        status = response.status
        body = response.body if isinstance(response.body, dict) else {}
        message = str(body.get("message") or reason or "no message")[:300]
        category = str(body.get("category") or body.get("policyName") or "")
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": category}
        action = _action(status)
        text = f"HubSpot answered {status}: {message}"
        if action == "rate":
            policy = str(body.get("policyName") or "")
            if policy == "DAILY":
                return QuotaExhausted(
                    "HubSpot's daily API limit is reached; the next run resumes from the "
                    "saved state",
                    **context,
                )
            hint = response.headers.get("retry-after")
            wait = float(hint) if hint and hint.replace(".", "", 1).isdigit() else None
            return RetriableError(
                text, retry_after=wait or _POLICY_WAITS.get(policy, 1.0), **context
            )
        if action == "auth":
            if category == "EXPIRED_AUTHENTICATION":
                return SessionExpired(text, **context)
            return ConnectorFatalError(
                "HubSpot refused the credentials (check the access token or OAuth app)",
                **context,
            )
        if action == "retry":
            return RetriableError(text, **context)
        if action == "skip":
            return SkippableRecordError(text, **context)
        return ConnectorFatalError(text, **context)


def _headers(raw: Any) -> dict[str, str]:
    if not raw:
        return {}
    return {str(k).lower(): str(v) for k, v in raw.items()}
