"""The SugarCRM emulator's hooks and its OAuth 2 token endpoint.

Sugar's REST API (v11) takes a token from ``POST /rest/v11/oauth2/token`` (the
``password`` grant with ``client_id`` ``sugar``, an empty secret and a ``platform``; or
the ``refresh_token`` grant) and wants it in the ``OAuth-Token`` header. The platform is
``base`` when none is given; one that is neither Sugar's (``base``, ``mobile``,
``portal``) nor registered by an administrator (``crmsync`` here) answers 422
``invalid_parameter`` ``EXCEPTION_INVALID_PLATFORM``, as Sugar does with
``disable_unknown_platforms`` on (its default). Sugar serves the
same API under each minor version's path too (``/rest/v11_5``, ... ``/rest/v11_24``): the
emulator answers ``/rest/v11_<n>`` as ``/rest/v11``. A missing,
unknown or expired token answers 401 ``invalid_grant``; a used-up rate answers 429.
Error bodies are ``{"error": ..., "error_message": ...}`` like Sugar's. The routes of the
data API are in ``api.py``, a record's JSON in ``records.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, EmulatorError, RouteInfo, json_response
from sandbox.info import SUGARCRM_PLATFORM

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["SUGAR_PLATFORMS", "SugarCRMEmulator", "sugar_error"]

_MINOR_VERSION = re.compile(r"^/rest/v11_\d+(?=/|$)")
ACCESS_LIFETIME = 3600
SUGAR_PLATFORMS = ("base", "mobile", "portal")
REFRESH_LIFETIME = 1_209_600  # two weeks, Sugar's default


def sugar_error(status: int, error: str, message: str) -> EmulatorError:
    return EmulatorError(status, {"error": error, "error_message": message})


class SugarCRMEmulator(EmulatorApp):
    """One Sugar instance at ``/rest/v11``."""

    name = "sugarcrm"

    def __init__(
        self, world: World, clock: Clock, faults: FaultPlan, credentials: SandboxCredentials
    ) -> None:
        super().__init__(clock, faults)
        self.world = world
        self.credentials = credentials
        self.access: dict[str, float] = {}  # token -> expiry (sandbox clock)
        self.refresh: dict[str, float] = {}
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self.requests_per_minute = 0  # 0: no limit; tests set one to see 429s
        # the platforms a client may sign in to: Sugar's own and the one an administrator
        # registered for crmsync (Admin > Configure API Platforms); add to it as they do
        self.platforms = {*SUGAR_PLATFORMS, SUGARCRM_PLATFORM}
        self._minute: tuple[int, int] = (0, 0)
        self.add_route("/rest/v11/oauth2/token", self.token, ["POST"], auth=False)
        from sandbox.sugarcrm import api

        api.register(self)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        environ["PATH_INFO"] = _MINOR_VERSION.sub("/rest/v11", path, count=1)
        return super().__call__(environ, start_response)

    # -- tokens --------------------------------------------------------------------------

    def _mint(self, kind: str) -> str:
        raw = f"{self.credentials.sugarcrm_password}|{kind}|{next(self._serial)}"
        return hashlib.sha256(raw.encode()).hexdigest()[:36]

    def token(self, request: Request) -> Response:
        body: dict[str, Any] = dict(request.form) if request.form else {}
        if not body:
            try:
                body = request.get_json(force=True, silent=True) or {}
            except Exception:
                body = {}
        grant = body.get("grant_type")
        now = self.clock.now().timestamp()
        creds = self.credentials
        # Sugar signs in to ``base`` without a platform, and refuses one that is not
        # registered (``disable_unknown_platforms``, on by default) with an untranslated
        # label for its message, before it looks at the grant
        if str(body.get("platform") or "base") not in self.platforms:
            raise sugar_error(422, "invalid_parameter", "EXCEPTION_INVALID_PLATFORM")
        if body.get("client_id") != "sugar":
            raise sugar_error(400, "invalid_client", "client_id must be sugar")
        with self._lock:
            if grant == "password":
                if (body.get("username"), body.get("password")) != (
                    creds.sugarcrm_username,
                    creds.sugarcrm_password,
                ):
                    raise sugar_error(
                        401, "invalid_grant", "Your username or password was incorrect."
                    )
            elif grant == "refresh_token":
                expiry = self.refresh.pop(str(body.get("refresh_token")), None)
                if expiry is None or expiry <= now:
                    raise sugar_error(401, "invalid_grant", "Invalid refresh token")
            else:
                raise sugar_error(400, "unsupported_grant_type", f"Unknown grant {grant!r}")
            access, refresh = self._mint("access"), self._mint("refresh")
            self.access[access] = now + ACCESS_LIFETIME
            self.refresh[refresh] = now + REFRESH_LIFETIME
        return json_response(
            {
                "access_token": access,
                "expires_in": ACCESS_LIFETIME,
                "token_type": "bearer",
                "scope": None,
                "refresh_token": refresh,
                "refresh_expires_in": REFRESH_LIFETIME,
                "download_token": self._mint("download"),
            }
        )

    # -- hooks ---------------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        token = request.headers.get("OAuth-Token", "")
        now = self.clock.now().timestamp()
        with self._lock:
            expiry = self.access.get(token)
            if expiry is None or expiry <= now:
                self.access.pop(token, None)
                return json_response(
                    {
                        "error": "invalid_grant",
                        "error_message": "The access token provided is invalid.",
                    },
                    401,
                )
            if self.requests_per_minute:
                minute = int(now // 60)
                seen = self._minute[1] + 1 if self._minute[0] == minute else 1
                self._minute = (minute, seen)
                if seen > self.requests_per_minute:
                    return self._too_many(60 - int(now % 60))
        return None

    def _too_many(self, retry_after: int | None) -> Response:
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return json_response(
            {"error": "too_many_requests", "error_message": "Too many requests, try again later"},
            429,
            headers,
        )

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMITED:
            return self._too_many(fault.retry_after or 1)
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return self._too_many(None)
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            with self._lock:
                self.access.pop(request.headers.get("OAuth-Token", ""), None)
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_message": "The access token provided is invalid.",
                },
                401,
            )
        return json_response(
            {"error": "fatal_error", "error_message": "An unexpected error occurred."},
            fault.status or 500,
        )

    def not_found(self, request: Request) -> Response:
        return json_response(
            {"error": "not_found", "error_message": f"Could not find a route for {request.path}"},
            404,
        )

    def method_not_allowed(self, request: Request) -> Response:
        return json_response(
            {"error": "not_found", "error_message": f"{request.method} is not allowed here"}, 404
        )

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response(
            {"error": "fatal_error", "error_message": "An unexpected error occurred."}, 500
        )
