"""What the HTTP layers of the REST connectors share.

A connector's HTTP layer is the one boundary between it and ``requests``. ``RestHttp``
holds what every such layer has: the settings, the session, the quota budget, the retry
policy, the source name, the request timeout (which ``quick_calls`` swaps) and the last
``Date`` header the CRM sent (its clock, for ``server_time``). ``_request`` makes one
counted request and translates a broken connection into ``RetriableError`` and any other
``requests`` failure into ``ConnectorFatalError``; ``_rate_limited`` turns a 429 into a
wait or, past ``quota_stop_after_s``, into ``QuotaExhausted``. ``CachedToken`` is the
access token threads share until the CRM rejects it.

A subclass names its CRM for messages (``crm``) and the setting that holds its address
(``address_setting``); signing in, the call itself and the CRM's error bodies stay its own.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, NoReturn, Protocol, TypeVar

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import ConnectorFatalError, QuotaExhausted, RetriableError
from connectors.core.http import Timeout, network_failure
from connectors.core.retry import RetryPolicy

__all__ = ["BROKEN_CONNECTION", "CachedToken", "RestHttp", "json_body", "retry_after_s"]

# The requests failures a later attempt may not meet: the network, not the call, failed.
BROKEN_CONNECTION = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class _RestSettings(Protocol):
    @property
    def timeout_s(self) -> float: ...

    @property
    def quota_stop_after_s(self) -> float: ...


SettingsT = TypeVar("SettingsT", bound=_RestSettings)


def retry_after_s(response: requests.Response) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (None when absent or a date)."""
    raw = response.headers.get("Retry-After")
    return float(raw) if raw and raw.replace(".", "", 1).isdigit() else None


def json_body(response: requests.Response) -> Any:
    """The answer's JSON, or ``{}`` when it is empty or not JSON (an error page)."""
    try:
        return orjson.loads(response.content) if response.content else {}
    except orjson.JSONDecodeError:
        return {}


class CachedToken:
    """An access token got once by ``grant`` and shared by threads until invalidated."""

    def __init__(self, grant: Callable[[], str]) -> None:
        self._grant = grant
        self._value: str | None = None
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._value is None:
                self._value = self._grant()
            return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None


class RestHttp(Generic[SettingsT]):
    """The fields and the send every REST connector's HTTP layer has (see the module)."""

    crm: ClassVar[str]  # the CRM's name in messages
    address_setting: ClassVar[str]  # the setting to check when the host cannot be called

    def __init__(
        self,
        settings: SettingsT,
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
        self.last_date: datetime | None = None

    def _request(
        self,
        method: str,
        url: str,
        where: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        """One request, counted in the budget; ``where`` names it in messages."""
        self.budget.count_call()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                headers=headers,
                data=data,
                auth=auth,
                timeout=self.request_timeout,
            )
        except BROKEN_CONNECTION as exc:
            raise RetriableError(
                f"{self.crm} did not answer {where}: {network_failure(exc)}", source=self.source
            ) from exc
        except requests.RequestException as exc:
            raise ConnectorFatalError(
                f"cannot call {self.crm} ({type(exc).__name__}); check "
                f"{self.address_setting} and the CA bundle",
                source=self.source,
            ) from exc
        raw = response.headers.get("Date")
        if raw:
            with contextlib.suppress(TypeError, ValueError):
                self.last_date = email.utils.parsedate_to_datetime(raw).astimezone(UTC)
        return response

    def _rate_limited(
        self, response: requests.Response, where: str, context: dict[str, Any], note: str = ""
    ) -> NoReturn:
        """A 429: wait as asked, or stop the source when the wait passes
        ``quota_stop_after_s`` (``note`` follows "rate limit" in that message)."""
        wait = retry_after_s(response)
        if wait is not None and wait > self.settings.quota_stop_after_s:
            raise QuotaExhausted(
                f"{self.crm} rate limit{note}; it asks to wait {wait:.0f} s, the next run "
                "resumes from the saved state",
                **context,
            )
        raise RetriableError(f"{self.crm} rate limit on {where}", retry_after=wait, **context)
