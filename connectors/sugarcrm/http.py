"""The one boundary between the SugarCRM connector and ``requests``.

Every REST v11 call goes through ``SugarHttp``: it signs in with the OAuth 2 password
grant (``POST /rest/v11/oauth2/token`` with ``client_id``, ``platform``), sends the token
in the ``OAuth-Token`` header, refreshes it with the ``refresh_token`` grant when Sugar
answers 401 ``invalid_grant`` (and signs in again when the refresh token is refused too),
counts calls in the shared ``QuotaBudget``, retries 429 (``Retry-After``), 5xx and broken
connections through the ``RetryPolicy``, and turns Sugar's error bodies
(``{"error", "error_message"}``) into ``connectors.core.errors``. Messages never carry a
token or the password. The fields and the send are ``connectors.core.rest``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import requests

from connectors.core.budget import QuotaBudget
from connectors.core.errors import ConnectorFatalError, RetriableError, SessionExpired
from connectors.core.rest import CachedToken, RestHttp, json_body
from connectors.core.retry import RetryPolicy
from connectors.sugarcrm.settings import SugarCRMSettings

__all__ = ["SugarHttp"]


class SugarHttp(RestHttp[SugarCRMSettings]):
    """Authenticated, retried, budgeted calls to one Sugar instance."""

    crm = "SugarCRM"
    address_setting = "site_url"

    def __init__(
        self,
        settings: SugarCRMSettings,
        session: requests.Session,
        budget: QuotaBudget,
        retry: RetryPolicy,
        source: str,
    ) -> None:
        super().__init__(settings, session, budget, retry, source)
        self.root = f"{settings.site_url.rstrip('/')}/rest/v11/"
        self.token = CachedToken(self._grant)
        self._refresh: str | None = None

    # -- tokens --------------------------------------------------------------------------

    def _grant(self) -> str:
        auth = self.settings.auth
        base = {
            "client_id": auth.client_id,
            "client_secret": auth.client_secret.get_secret_value(),
            "platform": auth.platform,
        }
        if self._refresh is not None:
            access = self._token_call(
                {**base, "grant_type": "refresh_token", "refresh_token": self._refresh}
            )
            if access is not None:
                return access
        password = {"username": auth.username, "password": auth.password.get_secret_value()}
        access = self._token_call({**base, "grant_type": "password", **password})
        if access is None:
            raise ConnectorFatalError(
                f"SugarCRM refused the sign-in of {auth.username}: check the username, the "
                "password and that the platform is allowed (Admin > Configure API Platforms)",
                source=self.source,
                status=401,
            )
        return access

    def _token_call(self, form: dict[str, str]) -> str | None:
        """The access token of the answer (keeping its refresh token), or None when Sugar
        refuses the grant."""
        response = self._send("POST", self.root + "oauth2/token", None, {}, orjson.dumps(form))
        if response.status_code == 422 and "EXCEPTION_INVALID_PLATFORM" in response.text:
            raise ConnectorFatalError(
                f"SugarCRM refused the API platform {form['platform']!r}: an administrator "
                "registers it under Admin > Configure API Platforms (or set auth.platform "
                "to a registered one)",
                source=self.source,
                status=422,
            )
        if response.status_code in (400, 401):
            self._refresh = None
            return None
        if response.status_code != 200:
            self._raise(response, "POST oauth2/token")
        body = orjson.loads(response.content)
        self._refresh = body.get("refresh_token")
        return str(body["access_token"])

    # -- calls ---------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None
    ) -> Any:
        """Call a path under ``/rest/v11/``; the JSON answer."""
        url = self.root + path
        body = orjson.dumps(json) if json is not None else None

        def once() -> Any:
            self.budget.check()
            headers = {"OAuth-Token": self.token.get()}
            response = self._send(method, url, params, headers, body)
            if response.status_code == 200:
                return orjson.loads(response.content) if response.content else None
            self._raise(response, f"{method} {path.split('?')[0]}")

        return self.retry.call(once, on_session_expired=self.token.invalidate)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        body: bytes | None,
    ) -> requests.Response:
        headers = {**headers, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        where = f"{method} {url.split('?')[0].removeprefix(self.root)}"
        return self._request(method, url, where, params=params, headers=headers, data=body)

    def _raise(self, response: requests.Response, where: str) -> None:
        status = response.status_code
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        message = body.get("error_message") if isinstance(body, dict) else None
        context: dict[str, Any] = {"source": self.source, "status": status, "detail": str(body)}
        if status == 401:
            raise SessionExpired(f"SugarCRM rejected the access token on {where}", **context)
        if status == 429:
            self._rate_limited(response, where, context, note=f" ({message})")
        if status >= 500:
            raise RetriableError(f"SugarCRM answered HTTP {status} on {where}", **context)
        raise ConnectorFatalError(
            f"SugarCRM refused {where}: HTTP {status} {error}: {message}", **context
        )
