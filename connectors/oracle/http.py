"""The one boundary between the Oracle connector and ``requests``.

Every call to ``/crmRestApi/resources/11.13.18.05/`` goes through ``OracleHttp``: it signs
each request with HTTP basic auth, or with a bearer token it gets from the identity
domain by the client credentials grant (and gets again when Fusion answers 401), sends
``REST-Framework-Version: 4`` (the row-match ``q`` syntax), counts calls in the shared
``QuotaBudget``, retries 429 (``Retry-After``), 5xx and broken connections through the
``RetryPolicy``, and turns Fusion's error bodies (``o:errorDetails`` of the REST
framework) into ``connectors.core.errors``. Messages never carry a token or a password.
The fields and the send are ``connectors.core.rest``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import ConnectorFatalError, RetriableError, SessionExpired
from connectors.core.http import network_failure
from connectors.core.rest import BROKEN_CONNECTION, CachedToken, RestHttp
from connectors.core.retry import RetryPolicy
from connectors.oracle.settings import OracleSettings

__all__ = ["API_VERSION", "BATCH_TYPE", "OracleHttp"]

API_VERSION = "11.13.18.05"
BATCH_TYPE = "application/vnd.oracle.adf.batch+json"


def error_detail(content: bytes) -> str:
    """The first ``detail`` of a REST framework error body (or the start of the body)."""
    try:
        body = orjson.loads(content) if content else {}
    except orjson.JSONDecodeError:
        return content[:200].decode("utf-8", "replace")
    if isinstance(body, dict):
        details = body.get("o:errorDetails") or []
        if details and isinstance(details[0], dict):
            return str(details[0].get("detail") or body.get("title") or "")
        return str(body.get("title") or body.get("error_description") or "")
    return ""


class OracleHttp(RestHttp[OracleSettings]):
    """Authenticated, retried, budgeted calls to one Fusion instance."""

    crm = "Oracle"
    address_setting = "site_url"

    def __init__(
        self,
        settings: OracleSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        super().__init__(settings, session, budget, retry, source)
        self.root = f"{settings.site_url.rstrip('/')}/crmRestApi/resources/{API_VERSION}/"
        self.token = CachedToken(self._grant)

    # -- sign-in -------------------------------------------------------------------------

    def _authorization(self) -> tuple[str, str] | None:
        """The basic auth pair, or None when the bearer header is set instead."""
        auth = self.settings.auth
        if auth.flow == "basic":
            assert auth.username is not None and auth.password is not None
            return auth.username, auth.password.get_secret_value()
        return None

    def _grant(self) -> str:
        auth = self.settings.auth
        assert auth.token_url and auth.client_id and auth.client_secret
        scope = (
            auth.scope or f"{self.settings.site_url.rstrip('/')}:443urn:opc:resource:consumer::all"
        )
        self.budget.count_call()
        try:
            response = self.session.post(
                auth.token_url,
                data={"grant_type": "client_credentials", "scope": scope},
                auth=(auth.client_id, auth.client_secret.get_secret_value()),
                timeout=self.request_timeout,
            )
        except BROKEN_CONNECTION as exc:
            raise RetriableError(
                f"the Oracle identity domain did not answer: {network_failure(exc)}",
                source=self.source,
            ) from exc
        if response.status_code in (400, 401):
            raise ConnectorFatalError(
                f"the Oracle identity domain refused the client credentials of "
                f"{auth.client_id} ({error_detail(response.content)}): check the client id, "
                "the secret and that the application may use the Fusion resource (scope)",
                source=self.source,
                status=response.status_code,
            )
        if response.status_code != 200:
            raise RetriableError(
                f"the Oracle identity domain answered HTTP {response.status_code}",
                source=self.source,
                status=response.status_code,
            )
        return str(orjson.loads(response.content)["access_token"])

    # -- calls ---------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        """Call a path under the API version's root; the JSON answer."""
        url = self.root + path
        body = orjson.dumps(json) if json is not None else None
        where = f"{method} {path.split('?')[0] or '/'}"

        def once() -> Any:
            self.budget.check()
            headers = {"REST-Framework-Version": "4", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = content_type
            basic = self._authorization()
            if basic is None:
                headers["Authorization"] = f"Bearer {self.token.get()}"
            response = self._request(
                method, url, where, params=params, headers=headers, data=body, auth=basic
            )
            if response.status_code == 200 or response.status_code == 201:
                return orjson.loads(response.content) if response.content else None
            return self._raise(response, where, json)

        return self.retry.call(once, on_session_expired=self.token.invalidate)

    def _raise(self, response: requests.Response, where: str, sent: Any) -> Any:
        status = response.status_code
        detail = error_detail(response.content)
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": detail}
        if status == 401:
            if self.settings.auth.flow == "basic":
                raise ConnectorFatalError(
                    f"Oracle refused the sign-in of {self.settings.auth.username}: check the "
                    "user name and password, and that the user may use the REST API",
                    **context,
                )
            raise SessionExpired(f"Oracle rejected the access token on {where}", **context)
        if status == 400 and sent is not None and b'"parts"' in response.content:
            return orjson.loads(response.content)  # a batch with failed parts: the caller's
        if status == 429:
            self._rate_limited(response, where, context)
        if status >= 500:
            raise RetriableError(f"Oracle answered HTTP {status} on {where}", **context)
        raise ConnectorFatalError(f"Oracle refused {where}: HTTP {status}: {detail}", **context)
