"""The one boundary between the SugarCRM connector and ``requests``.

Every REST v11 call goes through ``SugarHttp``: it signs in with the OAuth 2 password
grant (``POST /rest/v11/oauth2/token`` with ``client_id``, ``platform``), sends the token
in the ``OAuth-Token`` header, refreshes it with the ``refresh_token`` grant when Sugar
answers 401 ``invalid_grant`` (and signs in again when the refresh token is refused too),
counts calls in the shared ``QuotaBudget``, retries 429 (``Retry-After``), 5xx and broken
connections through the ``RetryPolicy``, and turns Sugar's error bodies
(``{"error", "error_message"}``) into ``connectors.core.errors``. Messages never carry a
token or the password.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import (
    ConnectorFatalError,
    QuotaExhausted,
    RetriableError,
    SessionExpired,
)
from connectors.core.http import Timeout, network_failure
from connectors.core.retry import RetryPolicy
from connectors.sugarcrm.settings import SugarCRMSettings

__all__ = ["SugarHttp"]

_BROKEN = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


class SugarHttp:
    """Authenticated, retried, budgeted calls to one Sugar instance."""

    def __init__(
        self,
        settings: SugarCRMSettings,
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
        self.root = f"{settings.site_url.rstrip('/')}/rest/v11/"
        self.last_date: datetime | None = None
        self._access: str | None = None
        self._refresh: str | None = None
        self._lock = threading.Lock()

    # -- tokens --------------------------------------------------------------------------

    def _token(self) -> str:
        with self._lock:
            if self._access is None:
                self._grant()
            assert self._access is not None
            return self._access

    def _invalidate(self) -> None:
        with self._lock:
            self._access = None

    def _grant(self) -> None:
        auth = self.settings.auth
        base = {
            "client_id": auth.client_id,
            "client_secret": auth.client_secret.get_secret_value(),
            "platform": auth.platform,
        }
        if self._refresh is not None:
            body = self._token_call(
                {**base, "grant_type": "refresh_token", "refresh_token": self._refresh}
            )
            if body is not None:
                return
        password = {"username": auth.username, "password": auth.password.get_secret_value()}
        body = self._token_call({**base, "grant_type": "password", **password})
        if body is None:
            raise ConnectorFatalError(
                f"SugarCRM refused the sign-in of {auth.username}: check the username, the "
                "password and that the platform is allowed (Admin > Configure API Platforms)",
                source=self.source,
                status=401,
            )

    def _token_call(self, form: dict[str, str]) -> dict[str, Any] | None:
        """The token answer, or None when Sugar refuses the grant."""
        response = self._send("POST", self.root + "oauth2/token", None, {}, orjson.dumps(form))
        if response.status_code in (400, 401):
            self._refresh = None
            return None
        if response.status_code != 200:
            self._raise(response, "POST oauth2/token")
        body = orjson.loads(response.content)
        self._access, self._refresh = body["access_token"], body.get("refresh_token")
        return dict(body)

    # -- calls ---------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> Any:
        """Call a path under ``/rest/v11/``; the JSON answer."""
        url = self.root + path
        body = orjson.dumps(json) if json is not None else None

        def once() -> Any:
            self.budget.check()
            headers = {"OAuth-Token": self._token()}
            response = self._send(method, url, params, headers, body)
            if response.status_code == 200:
                return orjson.loads(response.content) if response.content else None
            self._raise(response, f"{method} {path.split('?')[0]}")

        return self.retry.call(once, on_session_expired=self._invalidate)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> requests.Response:
        self.budget.count_call()
        headers = {**headers, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method, url, params=params, headers=headers, data=body, timeout=self.request_timeout
            )
        except _BROKEN as exc:
            where = url.split("?")[0].removeprefix(self.root)
            raise RetriableError(
                f"SugarCRM did not answer {method} {where}: {network_failure(exc)}",
                source=self.source,
            ) from exc
        except requests.RequestException as exc:
            raise ConnectorFatalError(
                f"cannot call SugarCRM ({type(exc).__name__}); check site_url and the CA bundle",
                source=self.source,
            ) from exc
        raw = response.headers.get("Date")
        if raw:
            with contextlib.suppress(TypeError, ValueError):
                self.last_date = email.utils.parsedate_to_datetime(raw).astimezone(UTC)
        return response

    def _raise(self, response: requests.Response, where: str) -> None:
        status = response.status_code
        try:
            body = orjson.loads(response.content) if response.content else {}
        except orjson.JSONDecodeError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        message = body.get("error_message") if isinstance(body, dict) else None
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": str(body)}
        if status == 401:
            raise SessionExpired(f"SugarCRM rejected the access token on {where}", **context)
        if status == 429:
            raw = response.headers.get("Retry-After")
            wait = float(raw) if raw and raw.replace(".", "", 1).isdigit() else None
            if wait is not None and wait > self.settings.quota_stop_after_s:
                raise QuotaExhausted(
                    f"SugarCRM rate limit ({message}); it asks to wait {wait:.0f} s, the "
                    "next run resumes from the saved state",
                    **context,
                )
            raise RetriableError(f"SugarCRM rate limit on {where}", retry_after=wait, **context)
        if status >= 500:
            raise RetriableError(f"SugarCRM answered HTTP {status} on {where}", **context)
        raise ConnectorFatalError(
            f"SugarCRM refused {where}: HTTP {status} {error}: {message}", **context
        )
