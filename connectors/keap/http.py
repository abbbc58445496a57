"""The one boundary between the Keap connector and ``requests``.

Every REST v1 call goes through ``KeapHttp``: it sends the access token from
``KeapTokens`` as a Bearer token (a 401 makes it take another and try again), counts calls
in the shared ``QuotaBudget`` and feeds it the gateway's daily quota headers
(``x-keap-product-quota-used`` / ``-limit``), retries 429 throttles, 5xx and broken
connections through the ``RetryPolicy``, stops the source cleanly when the day's quota is
spent until later than ``quota_stop_after_s``, and turns Keap's error bodies (``{"message"}``
from the API, ``{"fault": {"faultstring", "detail": {"errorcode"}}}`` from its gateway)
into ``connectors.core.errors``. Messages never carry a token or the client secret. The
fields and the send are ``connectors.core.rest``'s.
"""

from __future__ import annotations

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
from connectors.core.rest import RestHttp, json_body, retry_after_s
from connectors.core.retry import RetryPolicy
from connectors.keap.settings import KeapSettings
from connectors.keap.tokens import KeapTokens

__all__ = ["KeapHttp"]

_QUOTA = "policies.ratelimit.QuotaViolation"


def _int(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


class KeapHttp(RestHttp[KeapSettings]):
    """Authenticated, retried, budgeted calls to one Keap account."""

    crm = "Keap"
    address_setting = "base_url"

    def __init__(
        self,
        settings: KeapSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        super().__init__(settings, session, budget, retry, source)
        host = settings.base_url.rstrip("/")
        self.rest = f"{host}/crm/rest/"
        self.root = f"{self.rest}v1/"
        self.token_url = f"{host}/token"
        self.tokens = KeapTokens(settings.auth, self._refresh, source)

    def _refresh(self, refresh_token: str) -> dict[str, Any] | None:
        """The token answer for a refresh token, or None when Keap refuses it."""
        auth = self.settings.auth
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        client = (auth.client_id, auth.client_secret.get_secret_value())

        def once() -> dict[str, Any] | None:
            response = self._send("POST", self.token_url, None, {}, form, client)
            if response.status_code == 400:
                return None
            if response.status_code == 401:
                raise ConnectorFatalError(
                    "Keap refused the app's client id or secret (check auth.client_id and "
                    "auth.client_secret)",
                    source=self.source,
                    status=401,
                )
            if response.status_code != 200:
                self._raise(response, "POST /token")
            return dict(orjson.loads(response.content))

        return self.retry.call(once)

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> Any:
        """Call a path under ``/crm/rest/v1/`` (or ``/crm/rest/v2/`` when it starts with
        ``v2/``); the JSON answer."""
        url = (self.rest if path.startswith("v2/") else self.root) + path

        def once() -> Any:
            self.budget.check()
            headers = {"Authorization": f"Bearer {self.tokens.access_token()}"}
            response = self._send(method, url, params, headers, json, None)
            if response.status_code in (200, 201):
                return orjson.loads(response.content) if response.content else None
            self._raise(response, f"{method} {path.split('?')[0]}")

        return self.retry.call(once, on_session_expired=self.tokens.reject)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        body: Any,
        client: tuple[str, str] | None,
    ) -> requests.Response:
        headers = {**headers, "Accept": "application/json"}
        data: Any = None
        if client is not None:
            data = body  # the token endpoint takes a form
        elif body is not None:
            headers["Content-Type"] = "application/json"
            data = orjson.dumps(body)
        where = f"{method} {url.split('?')[0].removeprefix(self.root)}"
        response = self._request(
            method, url, where, params=params, headers=headers, data=data, auth=client
        )
        found = response.headers
        used, limit = (
            found.get("x-keap-product-quota-used"),
            found.get("x-keap-product-quota-limit"),
        )
        if used is not None or limit is not None:
            self.budget.observe(_int(used), _int(limit))
        return response

    def _raise(self, response: requests.Response, where: str) -> None:
        status = response.status_code
        body = json_body(response)
        body = body if isinstance(body, dict) else {}
        found = body.get("fault")
        fault: dict[str, Any] = found if isinstance(found, dict) else {}
        code = (fault.get("detail") or {}).get("errorcode")
        message = body.get("message") or fault.get("faultstring") or ""
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": str(body)}
        if status == 401:
            raise SessionExpired(f"Keap rejected the access token on {where}", **context)
        if status == 429:
            self._throttled(response, code, where, context)
        if status >= 500:
            raise RetriableError(f"Keap answered HTTP {status} on {where}", **context)
        raise ConnectorFatalError(f"Keap refused {where}: HTTP {status}: {message}", **context)

    def _throttled(
        self, response: requests.Response, code: Any, where: str, context: dict[str, Any]
    ) -> None:
        headers = response.headers
        if code == _QUOTA or headers.get("x-keap-product-quota-available") == "0":
            expiry = _int(headers.get("x-keap-product-quota-expiry-time"))
            now = self.last_date or datetime.now(UTC)
            wait = max(expiry / 1000 - now.timestamp(), 0.0) if expiry else None
            if wait is None or wait > self.settings.quota_stop_after_s:
                later = f"; it refills in {wait / 3600:.1f} h" if wait is not None else ""
                raise QuotaExhausted(
                    f"Keap's daily API quota is spent{later}: the next run resumes from the "
                    "saved state",
                    **context,
                )
            raise RetriableError(f"Keap's daily quota on {where}", retry_after=wait, **context)
        raise RetriableError(
            f"Keap throttled {where}", retry_after=retry_after_s(response), **context
        )
