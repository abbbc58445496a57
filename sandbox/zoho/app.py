"""The Zoho CRM emulator: accounts server (OAuth) and CRM API v2..v8 on one host.

Route modules: ``auth`` (token endpoint), ``records`` (list/get/count), ``search``,
``coql``, ``writes``, ``deleted`` and ``metadata`` (settings, users, org). This module holds
the hooks every request passes through: authentication, API credits and concurrency,
injected faults, Zoho-shaped errors and rate-limit headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, RouteInfo, json_response
from sandbox.store import Record, Table
from sandbox.zoho import (
    auth,
    coql,
    currencies,
    deleted,
    metadata,
    records,
    related,
    search,
    timeline,
    user_writes,
    writes,
)
from sandbox.zoho.auth import TokenStore
from sandbox.zoho.cursors import ResultCache, TokenCursors
from sandbox.zoho.errors import INVALID_TOKEN, error_body
from sandbox.zoho.limits import ConcurrencyGate, CreditWindow, ZohoLimits
from sandbox.zoho.render import Renderer

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["API_VERSIONS", "ZohoEmulator"]

API_VERSIONS = ("v2", "v2.1", "v3", "v4", "v5", "v6", "v7", "v8")
BASE = "/crm/<any(" + ", ".join(f'"{v}"' for v in API_VERSIONS) + "):version>"
_HEAVY = ("coql", "search")
_WRITES = ("POST", "PUT")
_RATE_MESSAGE = "Rate limit exceeded. Please retry after the specified time."
_STATE_KEY = "crmsync.zoho.heavy"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return json_response(body, status, headers)


class ZohoEmulator(EmulatorApp):
    """Emulates Zoho CRM's accounts server and REST API (v2..v8) over one base URL."""

    name = "zoho"

    def __init__(
        self,
        world: World,
        clock: Clock,
        faults: FaultPlan,
        credentials: SandboxCredentials,
    ) -> None:
        super().__init__(clock, faults)
        self.world = world
        self.credentials = credentials
        self.limits = ZohoLimits()
        self.tokens = TokenStore(clock)
        self.credits = CreditWindow()
        self.gate = ConcurrencyGate()
        self.renderer = Renderer(world)
        self.results = ResultCache()
        self.cursors = TokenCursors()
        # who deleted what, for the deleted-records API (tables only keep when)
        self.deleted_by: dict[tuple[str, str], str | None] = {}
        # fields marked "do not allow duplicates" per module (insert answers DUPLICATE_DATA)
        self.unique_fields: dict[str, tuple[str, ...]] = {}
        auth.register(self)
        metadata.register(self)
        currencies.register(self)
        coql.register(self)
        search.register(self)
        deleted.register(self)
        writes.register(self)
        records.register(self)
        timeline.register(self)
        user_writes.register(self)
        related.register(self)

    # -- helpers for route modules -------------------------------------------------------

    def api_route(
        self, method: str, suffix: str, handler: Callable[..., Response], name: str | None = None
    ) -> None:
        """Register ``/crm/{version}{suffix}``; the endpoint reads ``METHOD /crm/<version>...``."""
        self.add_route(
            BASE + suffix, handler, [method], endpoint=f"{method} /crm/<version>{name or suffix}"
        )

    def issue_token(self) -> str:
        """A fresh access token, as the token endpoint would mint (for the orchestrator)."""
        return self.tokens.issue()

    def current_user_id(self) -> str | None:
        """The user the API acts as: the first active administrator (else the first user)."""
        with self.world.lock:
            users = self.world.zoho.get("users")
            if users is None:
                return None
            first = None
            for user in users.live():
                first = first or user
                if user.get("profile") == "Administrator" and user.get("status") in (
                    None,
                    "active",
                ):
                    return user["id"]
            return first["id"] if first else None

    def search_matcher(self, table: Table, args: MultiDict[str, str]) -> Callable[[Record], bool]:
        return search.matcher(table.schema, args)

    # -- hooks -------------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            return _json(401, error_body("AUTHENTICATION_FAILURE", "Authentication failed"))
        if scheme != "Zoho-oauthtoken" or not self.tokens.is_valid(token.strip()):
            return _json(401, {**INVALID_TOKEN, "status": "error"})
        allowed, _, wait = self.credits.try_spend(self.clock.now().timestamp(), self.limits.daily)
        if not allowed:
            return self._too_many(wait, "API credits for the last 24 hours are exhausted")
        heavy = self._is_heavy(request, route)
        strict = self.faults.strict
        if not self.gate.enter(
            heavy,
            self.limits.concurrency if strict else None,
            self.limits.heavy_concurrency if strict else None,
        ):
            return self._too_many(1, _RATE_MESSAGE)
        request.environ[_STATE_KEY] = heavy
        return None

    def _is_heavy(self, request: Request, route: RouteInfo) -> bool:
        if any(word in route.endpoint for word in _HEAVY):
            return True
        if request.method in _WRITES and self.faults.strict:
            try:
                body = orjson.loads(request.get_data(cache=True) or b"{}")
            except orjson.JSONDecodeError:
                return False
            data = body.get("data") if isinstance(body, dict) else None
            return isinstance(data, list) and len(data) > 10
        return False

    def _too_many(self, retry_after: int, message: str) -> Response:
        body = error_body("TOO_MANY_REQUESTS", message, {"retry_after": retry_after})
        return _json(429, body, {"Retry-After": str(retry_after)})

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMITED:
            return self._too_many(
                fault.retry_after or 1,
                "Rate limit exceeded. Please retry after the specified time.",
            )
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return _json(429, error_body("TOO_MANY_REQUESTS", _RATE_MESSAGE))
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            _, _, token = request.headers.get("Authorization", "").partition(" ")
            self.tokens.revoke(token.strip())
            return _json(401, {**INVALID_TOKEN, "status": "error"})
        return self._server_error(fault.status or 500)

    def _server_error(self, status: int = 500) -> Response:
        return _json(status, error_body("INTERNAL_ERROR", "Internal Server Error"))

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        heavy = request.environ.pop(_STATE_KEY, None)
        if heavy is not None:
            self.gate.leave(heavy)
        if route.auth:
            used = self.credits.used(self.clock.now().timestamp())
            response.headers["X-RATELIMIT-LIMIT"] = str(self.limits.daily)
            response.headers["X-RATELIMIT-REMAINING"] = str(max(self.limits.daily - used, 0))

    def not_found(self, request: Request) -> Response:
        return _json(
            404,
            error_body(
                "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
            ),
        )

    def method_not_allowed(self, request: Request) -> Response:
        return _json(
            405,
            error_body("INVALID_REQUEST_METHOD", "The http request method type is not a valid one"),
        )

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return self._server_error()
