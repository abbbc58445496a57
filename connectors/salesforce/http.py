"""The one boundary between crmsync and Salesforce's HTTP API.

Every call goes through ``SalesforceHttp.call``: it asks the quota budget first, counts
the call, translates simple-salesforce and requests exceptions into
``connectors.core.errors`` (``raise ... from exc``) through a small status table, retries
the transient ones with ``RetryPolicy`` and feeds ``Sforce-Limit-Info`` into the budget.
Tokens and secrets never appear in messages: only Salesforce's error code and text do.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import (
    ConnectorConfigError,
    ConnectorError,
    ConnectorFatalError,
    QuotaExhausted,
    RetriableError,
    SessionExpired,
)
from connectors.core.http import Timeout, network_failure
from connectors.core.retry import RetryPolicy
from connectors.salesforce.deferred import defer_unused_imports

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from connectors.salesforce.auth import SalesforceTokenSource
    from connectors.salesforce.settings import SalesforceSettings

__all__ = ["QueryLocatorLost", "SalesforceHttp", "translate"]

T = TypeVar("T")


defer_unused_imports()  # every simple-salesforce import in crmsync comes after this one


class QueryLocatorLost(ConnectorError):
    """A query cursor died (session refreshed, cursor evicted): restart the query."""


# (status, errorCode or None for "any") -> what the caller does next
_ACTIONS: dict[tuple[int, str | None], str] = {
    (401, None): "session",
    (403, "REQUEST_LIMIT_EXCEEDED"): "quota",
    (403, None): "fatal",
    (400, "INVALID_QUERY_LOCATOR"): "restart",
    (400, "QUERY_TIMEOUT"): "retry",
    (400, None): "fatal",
    (404, None): "fatal",
    (408, None): "retry",
    (429, None): "retry",
}
# No answer, or the connection dropped mid-answer (requests calls that a chunked-encoding
# error even when the body had a Content-Length): worth another attempt.
_BROKEN = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
_ERRORS: dict[str, type[ConnectorError]] = {
    "session": SessionExpired,
    "quota": QuotaExhausted,
    "restart": QueryLocatorLost,
    "retry": RetriableError,
    "fatal": ConnectorFatalError,
}


def _code_and_message(content: Any) -> tuple[str | None, str]:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return first.get("errorCode") or first.get("statusCode"), str(first.get("message", ""))
    if isinstance(content, dict):
        return content.get("error") or content.get("errorCode"), str(
            content.get("error_description") or content.get("message", "")
        )
    return None, str(content)[:200]


def translate(status: int, content: Any, source: str | None, what: str) -> ConnectorError:
    """The connector error for an HTTP failure (``status`` + Salesforce error body)."""
    code, message = _code_and_message(content)
    action = _ACTIONS.get((status, code)) or _ACTIONS.get((status, None))
    if action is None:
        action = "retry" if status >= 500 else "fatal"
    text = f"Salesforce {what} failed: HTTP {status} {code or ''} {message}".strip()
    if action == "quota":
        text = f"Salesforce daily API limit reached ({message}); the next run resumes"
    return _ERRORS[action](text, source=source, status=status, detail=str(content)[:500])


def _timeout_kwargs(timeout: float) -> dict[str, Any]:
    return {"timeout": timeout}


class SalesforceHttp:
    """Calls Salesforce through simple-salesforce with retries, refresh and quota."""

    def __init__(
        self,
        settings: SalesforceSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy | None = None,
        source: str | None = None,
    ) -> None:
        self.settings = settings
        self.session = session
        self.budget = budget
        self.retry = retry or RetryPolicy()
        self.source = source
        self.tokens: SalesforceTokenSource | None = None
        self._client: Salesforce | None = None
        self._client_token: str | None = None
        self.timeout = _timeout_kwargs(settings.timeout_s)
        self.request_timeout: Timeout = settings.timeout_s  # token, clock and check calls

    # -- client ---------------------------------------------------------------------

    @property
    def sf(self) -> Salesforce:
        """A simple-salesforce client bound to the current access token."""
        if self.tokens is None:
            raise ConnectorConfigError("the Salesforce connector has no token source")
        token = self.tokens.current()
        if self._client is None or token.access_token != self._client_token:
            from simple_salesforce import Salesforce

            self._client = Salesforce(
                instance_url=token.instance_url,
                session_id=token.access_token,
                session=self.session,
                version=self.settings.api_version,
                object_pairs_hook=dict,
            )
            self._client_token = token.access_token
        return self._client

    def refresh_session(self) -> None:
        """The token died: get a new one (the client is rebuilt on next use)."""
        if self.tokens is not None:
            self.tokens.invalidate()

    # -- calls ----------------------------------------------------------------------

    def call(self, what: str, action: Callable[[Salesforce], T], *, restartable: bool = False) -> T:
        """Run ``action(sf)``; ``restartable`` lets session/locator loss reach the caller."""
        on_expired = None if restartable else self.refresh_session
        return self.retry.call(lambda: self._once(what, action), on_session_expired=on_expired)

    def _once(self, what: str, action: Callable[[Salesforce], T]) -> T:
        # simple-salesforce (with zeep) loads on first use: configuration checks and
        # commands that only read the store build the connector without calling Salesforce.
        from simple_salesforce.exceptions import SalesforceError

        self.budget.check()
        sf = self.sf
        self.budget.count_call()
        try:
            return action(sf)
        except SalesforceError as exc:
            raise translate(exc.status, exc.content, self.source, what) from exc
        except requests.Timeout as exc:
            raise RetriableError(f"Salesforce {what} timed out", source=self.source) from exc
        except _BROKEN as exc:
            raise RetriableError(
                f"cannot reach Salesforce for {what}: {network_failure(exc)}", source=self.source
            ) from exc
        finally:
            usage = sf.api_usage.get("api-usage")
            if usage is not None:
                self.budget.observe(usage.used, usage.total)

    def raw(self, what: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        """A plain request (token endpoint, server clock), retried and translated."""

        def once() -> requests.Response:
            self.budget.count_call()
            try:
                response = self.session.request(method, url, timeout=self.request_timeout, **kwargs)
            except requests.Timeout as exc:
                raise RetriableError(f"Salesforce {what} timed out", source=self.source) from exc
            except _BROKEN as exc:
                raise RetriableError(
                    f"cannot reach Salesforce for {what} at {url.split('?')[0]}: "
                    f"{network_failure(exc)}",
                    source=self.source,
                ) from exc
            if response.status_code >= 500 or response.status_code in (408, 429):
                content = _json_or_text(response)
                response.close()
                raise translate(response.status_code, content, self.source, what)
            return response

        return self.retry.call(once)

    def server_time(self) -> datetime:
        """The server's clock: the ``issued_at`` of the run's login when this call makes it
        (the login is needed anyway), else the ``Date`` header of the versions list."""
        issued = self.tokens.login_time() if self.tokens is not None else None
        if issued is not None:
            return issued
        url = f"{self.settings.instance_url.rstrip('/')}/services/data/"
        response = self.raw("clock read", "GET", url)
        with response:
            header = response.headers.get("Date")
        if not header:
            raise ConnectorFatalError(
                "Salesforce sent no Date header; cannot take the server time", source=self.source
            )
        return email.utils.parsedate_to_datetime(header).astimezone(UTC)


def _json_or_text(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]
