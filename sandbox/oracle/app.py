"""The Oracle CX Sales emulator's hooks: sign-in, error bodies, rate limits, faults.

The REST API (``/crmRestApi/resources/11.13.18.05``) takes either HTTP basic auth (a
user name and password of the instance) or an OAuth bearer token. Tokens come from
``POST /oauth2/v1/token`` the way Oracle Identity Cloud Service issues them to a
confidential application: the client credentials grant, the client id and secret in a
basic ``Authorization`` header, a ``scope`` naming the Fusion resource (it must end in
``urn:opc:resource:consumer::all``). A missing or refused credential answers 401 with an
empty body, as Fusion does; a used-up rate answers 429 with ``Retry-After``. Other errors
are REST framework error bodies (``application/vnd.oracle.adf.error+json``: ``title``,
``status``, ``o:errorDetails`` with ``detail`` and ``o:errorCode``). The data routes are
in ``api.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, EmulatorError, RouteInfo, json_response

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["BASE", "OracleEmulator", "oracle_error"]

BASE = "/crmRestApi/resources/11.13.18.05"
ACCESS_LIFETIME = 3600
SCOPE_SUFFIX = "urn:opc:resource:consumer::all"
ERROR_TYPE = "application/vnd.oracle.adf.error+json"
_TITLES = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Error"}


def error_body(status: int, detail: str, code: str = "") -> dict[str, Any]:
    return {
        "type": "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": _TITLES.get(status, "Error"),
        "status": str(status),
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }


def oracle_error(status: int, detail: str, code: str = "") -> EmulatorError:
    return EmulatorError(status, error_body(status, detail, code), {"X-Error-Type": ERROR_TYPE})


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class OracleEmulator(EmulatorApp):
    """One Fusion instance: the CX Sales REST API and its identity domain's token URL."""

    name = "oracle"

    def __init__(
        self, world: World, clock: Clock, faults: FaultPlan, credentials: SandboxCredentials
    ) -> None:
        super().__init__(clock, faults)
        self.world = world
        self.credentials = credentials
        self.access: dict[str, float] = {}  # token -> expiry (sandbox clock)
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.requests_per_minute = 0  # 0: no limit; tests set one to see 429s
        self._minute: tuple[int, int] = (0, 0)
        self.add_route("/oauth2/v1/token", self.token, ["POST"], auth=False)
        from sandbox.oracle import api

        api.register(self)

    # -- sign-in -------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        creds = self.credentials
        client = _basic(request)
        if client != (creds.oracle_client_id, creds.oracle_client_secret):
            return json_response(
                {"error": "invalid_client", "error_description": "Client authentication failed."},
                401,
            )
        if request.form.get("grant_type") != "client_credentials":
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Use client_credentials."},
                400,
            )
        if not request.form.get("scope", "").endswith(SCOPE_SUFFIX):
            return json_response(
                {"error": "invalid_scope", "error_description": "The scope is not valid."}, 400
            )
        now = self.clock.now().timestamp()
        raw = f"{creds.oracle_client_secret}|{next(self._serial)}"
        access = "eyJ" + hashlib.sha256(raw.encode()).hexdigest()
        with self._lock:
            self.access[access] = now + ACCESS_LIFETIME
        return json_response(
            {"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_LIFETIME}
        )

    def _signed_in(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            now = self.clock.now().timestamp()
            with self._lock:
                expiry = self.access.get(header[7:])
                if expiry is None or expiry <= now:
                    self.access.pop(header[7:], None)
                    return False
            return True
        creds = self.credentials
        return _basic(request) == (creds.oracle_username, creds.oracle_password)

    # -- hooks ---------------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        if not self._signed_in(request):
            return Response(b"", 401, {"WWW-Authenticate": 'Basic realm="Fusion"'})
        if self.requests_per_minute:
            now = self.clock.now().timestamp()
            with self._lock:
                minute = int(now // 60)
                seen = self._minute[1] + 1 if self._minute[0] == minute else 1
                self._minute = (minute, seen)
            if seen > self.requests_per_minute:
                return self._too_many(60 - int(now % 60))
        return None

    def token_can_expire(self, request: Request, route: RouteInfo) -> bool:
        return route.auth and request.headers.get("Authorization", "").startswith("Bearer ")

    def _too_many(self, retry_after: int | None) -> Response:
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return json_response(error_body(429, "Too many requests."), 429, headers)

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMITED:
            return self._too_many(fault.retry_after or 1)
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return self._too_many(None)
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            with self._lock:
                self.access.pop(request.headers.get("Authorization", "")[7:], None)
            return Response(b"", 401)
        status = fault.status or 500
        return json_response(error_body(status, "An unexpected error occurred."), status)

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        if response.status_code >= 400 and "X-Error-Type" in response.headers:
            del response.headers["X-Error-Type"]
            response.content_type = ERROR_TYPE
        elif response.status_code == 200 and route.rule.startswith(BASE):
            response.headers["REST-Framework-Version"] = "4"

    def not_found(self, request: Request) -> Response:
        return json_response(error_body(404, f"The URI {request.path} is not valid."), 404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response(
            error_body(405, f"The method {request.method} is not allowed here."), 405
        )

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response(error_body(500, "An unexpected error occurred."), 500)
