"""The Keap emulator's hooks, its OAuth 2 token endpoint and its quota headers.

Keap signs an app in with the authorization-code grant once; after that the app lives on
the refresh-token grant at ``POST /token`` (form-encoded, the client id and secret in a
Basic header or in the form). Keap rotates refresh tokens: each refresh answers a new
refresh token and the one used stops working. Access tokens last 24 hours and go in an
``Authorization: Bearer`` header or, as older clients send them, in an ``access_token``
query parameter (the header wins when both are given).

Every answer to an API call carries the gateway's quota and throttle headers
(``x-keap-product-quota-*``: calls per day, reset at midnight UTC;
``x-keap-product-throttle-*``: calls per minute per app; ``x-keap-tenant-throttle-*``:
calls per minute per Keap account). A spent quota or throttle answers 429 with the
gateway's ``fault`` body; a bad token answers 401 with one too. The data routes are in
``api.py``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, EmulatorError, RouteInfo, json_response

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["ACCESS_LIFETIME", "KeapEmulator", "keap_error"]

ACCESS_LIFETIME = 86_400  # 24 hours
REFRESH_LIFETIME = 45 * 86_400  # 45 days
DAILY_QUOTA = 150_000
PRODUCT_PER_MINUTE = 1_500
TENANT_PER_MINUTE = 1_500


def keap_error(status: int, message: str) -> EmulatorError:
    """The REST API's own error body."""
    return EmulatorError(status, {"message": message})


def _fault(text: str, code: str) -> dict[str, object]:
    return {"fault": {"faultstring": text, "detail": {"errorcode": code}}}


def _access_token(request: Request) -> str:
    """The call's access token: the Bearer header's, else the ``access_token`` parameter's."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:]
    return request.args.get("access_token", "")


class KeapEmulator(EmulatorApp):
    """One Keap account at ``/crm/rest/v1``, its token endpoint at ``/token``."""

    name = "keap"

    def __init__(
        self, world: World, clock: Clock, faults: FaultPlan, credentials: SandboxCredentials
    ) -> None:
        super().__init__(clock, faults)
        self.world = world
        self.credentials = credentials
        self.access: dict[str, float] = {}  # token -> expiry (sandbox clock)
        self.refresh: dict[str, float] = {credentials.keap_refresh_token: float("inf")}
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.daily_quota = DAILY_QUOTA
        self.per_minute = PRODUCT_PER_MINUTE
        self._day: tuple[int, int] = (0, 0)  # (day, calls)
        self._minute: tuple[int, int] = (0, 0)  # (minute, calls)
        self.add_route("/token", self.token, ["POST"], auth=False)
        from sandbox.keap import api

        api.register(self)

    # -- tokens --------------------------------------------------------------------------

    def _mint(self, kind: str) -> str:
        raw = f"{self.credentials.keap_client_secret}|{kind}|{next(self._serial)}"
        return hashlib.sha256(raw.encode()).hexdigest()[:28]

    def _client(self, request: Request) -> tuple[str, str]:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                raw = base64.b64decode(header[6:]).decode()
            except (ValueError, UnicodeDecodeError):
                raw = ":"
            client_id, _, secret = raw.partition(":")
            return client_id, secret
        return request.form.get("client_id", ""), request.form.get("client_secret", "")

    def token(self, request: Request) -> Response:
        creds = self.credentials
        if self._client(request) != (creds.keap_client_id, creds.keap_client_secret):
            raise EmulatorError(
                401, {"error": "invalid_client", "error_description": "Invalid client credentials"}
            )
        grant = request.form.get("grant_type")
        if grant != "refresh_token":
            raise EmulatorError(
                400,
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
            )
        now = self.clock.now().timestamp()
        with self._lock:
            expiry = self.refresh.pop(request.form.get("refresh_token", ""), None)
            if expiry is None or expiry <= now:
                raise EmulatorError(
                    400, {"error": "invalid_request", "error_description": "Invalid Refresh Token"}
                )
            access, refresh = self._mint("access"), self._mint("refresh")
            self.access[access] = now + ACCESS_LIFETIME
            self.refresh[refresh] = now + REFRESH_LIFETIME
        return json_response(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": ACCESS_LIFETIME,
                "refresh_token": refresh,
                "scope": "full|ab123.infusionsoft.com",
            }
        )

    # -- hooks ---------------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        token = _access_token(request)
        now = self.clock.now().timestamp()
        with self._lock:
            expiry = self.access.get(token)
            if expiry is None or expiry <= now:
                self.access.pop(token, None)
                return self._unauthorized()
            day, minute = int(now // 86_400), int(now // 60)
            used_today = self._day[1] + 1 if self._day[0] == day else 1
            this_minute = self._minute[1] + 1 if self._minute[0] == minute else 1
            self._day, self._minute = (day, used_today), (minute, this_minute)
            if used_today > self.daily_quota:
                body = _fault(
                    "Rate limit quota violation. Quota limit exceeded. Identifier : crmsync",
                    "policies.ratelimit.QuotaViolation",
                )
                return json_response(body, 429)
            if this_minute > self.per_minute:
                return self._throttled()
        return None

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        if not route.auth:
            return
        with self._lock:
            day, used = self._day
            this_minute = self._minute[1]
        used = min(used, self.daily_quota)
        this_minute = min(this_minute, self.per_minute)
        headers = response.headers
        headers["x-keap-product-quota-limit"] = str(self.daily_quota)
        headers["x-keap-product-quota-time-unit"] = "day"
        headers["x-keap-product-quota-interval"] = "1"
        headers["x-keap-product-quota-used"] = str(used)
        headers["x-keap-product-quota-available"] = str(self.daily_quota - used)
        headers["x-keap-product-quota-expiry-time"] = str((day + 1) * 86_400_000)
        for scope in ("product", "tenant"):
            headers[f"x-keap-{scope}-throttle-limit"] = str(self.per_minute)
            headers[f"x-keap-{scope}-throttle-time-unit"] = "minute"
            headers[f"x-keap-{scope}-throttle-interval"] = "1"
            headers[f"x-keap-{scope}-throttle-used"] = str(this_minute)
            headers[f"x-keap-{scope}-throttle-available"] = str(self.per_minute - this_minute)

    def _unauthorized(self) -> Response:
        body = _fault("Invalid Access Token", "keymanagement.service.invalid_access_token")
        return json_response(body, 401)

    def _throttled(self, retry_after: int | None = None) -> Response:
        body = _fault(
            "Rate limit quota violation. Quota limit exceeded. Identifier : crmsync",
            "policies.ratelimit.SpikeArrestViolation",
        )
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return json_response(body, 429, headers)

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMITED:
            return self._throttled(fault.retry_after or 1)
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return self._throttled(None)
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            with self._lock:
                self.access.pop(_access_token(request), None)
            return self._unauthorized()
        status = fault.status or 500
        return json_response({"message": "Internal Server Error"}, status)

    def not_found(self, request: Request) -> Response:
        return json_response(
            _fault("Unable to identify proxy for host and url", "messaging.adaptors.http.flow"),
            404,
        )

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"message": f"{request.method} is not supported here"}, 405)

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response({"message": "Internal Server Error"}, 500)
