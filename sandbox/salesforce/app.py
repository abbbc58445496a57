"""The Salesforce REST API emulator.

Serves ``/services/data/vNN.N/`` (v47.0 to v62.0; other version strings answer 404
``NOT_FOUND`` as Salesforce does) and ``/services/oauth2/token``. Route modules:
``auth`` (OAuth), ``query`` (SOQL), ``records`` (sObject rows), ``collections_api``,
``composite_batch``, ``bulk`` (Bulk 2.0 query jobs), ``metadata`` (describe, limits, Tooling).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, RouteInfo, json_response
from sandbox.salesforce import (
    auth,
    bulk,
    collections_api,
    composite_batch,
    metadata,
    query,
    records,
)
from sandbox.salesforce.cursors import CursorStore
from sandbox.salesforce.errors import INVALID_SESSION, NOT_FOUND_MESSAGE, sf_error
from sandbox.salesforce.schema import salesforce_id
from sandbox.salesforce.tokens import Session, TokenStore, jwt_private_key_pem
from sandbox.salesforce.writes import Writer
from sandbox.schema import Field
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["SalesforceEmulator", "SalesforceLimits"]

_VERSION = re.compile(r"^/services/data/v(\d+)\.(\d)(?:/|$)")
_SESSION_KEY = "crmsync.salesforce.session"
# A user id far beyond any generated sequence, for worlds without users.
_FALLBACK_USER = salesforce_id("User", 62**5)
DAY = timedelta(days=1)


@dataclass
class SalesforceLimits:
    """Daily API request allowance; ``None`` means the profile's default."""

    daily: int | None = None
    default_daily: int = 5_000_000
    strict_daily: int = 100_000


class SalesforceEmulator(EmulatorApp):
    """Salesforce REST, Bulk 2.0 query and Tooling ``CustomField`` over one ``World``."""

    name = "salesforce"

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
        self.limits = SalesforceLimits()
        self.tokens = TokenStore(clock, credentials.salesforce_org_id)
        self.cursors = CursorStore()
        self.external_ids: set[tuple[str, str]] = set()
        self.custom_field_count = 0
        # record id -> how many more writes answer UNABLE_TO_LOCK_ROW (set by tests)
        self.record_locks: dict[str, int] = {}
        self._usage_lock = threading.Lock()
        self._usage_start: datetime = clock.now()
        self._usage = 0
        self._user_id: str | None = None
        self.writer = Writer(self)
        for module in (auth, query, records, collections_api, composite_batch, bulk, metadata):
            module.register(self)

    # -- public helpers -------------------------------------------------------------

    @staticmethod
    def jwt_private_key_pem() -> bytes:
        """The private key (PEM) that signs JWT bearer assertions this sandbox accepts."""
        return jwt_private_key_pem()

    def issue_token(self) -> str:
        """A fresh access token for the integration user (two-hour life)."""
        return self.tokens.issue(self.integration_user_id()).token

    def integration_user_id(self) -> str:
        """The API user: the User whose Username matches the credentials, else the first."""
        if self._user_id is None:
            with self.world.lock:
                users = list(self.world.salesforce["User"].live())
            wanted = self.credentials.salesforce_username
            match = next((u for u in users if u.get("Username") == wanted), None)
            chosen = match or (users[0] if users else None)
            self._user_id = str(chosen["Id"]) if chosen else _FALLBACK_USER
        return self._user_id

    def external_id_field(self, table: Table, name: str) -> Field:
        """A field usable for upsert: ``Id`` or a custom field flagged as external id."""
        found = table.schema.field_ci(name)
        if found is None or not (
            found.name == "Id" or (table.name, found.name) in self.external_ids
        ):
            raise sf_error(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {name}",
            )
        return found

    def mark_external_id(self, object_name: str, field_name: str) -> None:
        """Flag an existing custom field as an external id (for upserts)."""
        self.external_ids.add((object_name, field_name))

    def session_of(self, request: Request) -> Session:
        return request.environ[_SESSION_KEY]

    def daily_limit(self) -> int:
        if self.limits.daily is not None:
            return self.limits.daily
        return self.limits.strict_daily if self.faults.strict else self.limits.default_daily

    def api_usage(self) -> tuple[int, int]:
        """(requests used in the current 24 h window, daily allowance)."""
        with self._usage_lock:
            self._roll_window()
            return self._usage, self.daily_limit()

    def _roll_window(self) -> None:
        now = self.clock.now()
        if now - self._usage_start >= DAY:
            self._usage_start, self._usage = now, 0

    # -- hooks ----------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        path = request.path
        if path.startswith("/services/data/") and path.strip("/") != "services/data":
            match = _VERSION.match(path)
            if match is None or not (
                metadata.MIN_VERSION <= int(match.group(1)) <= metadata.MAX_VERSION
            ):
                return self.not_found(request)
        if not route.auth:
            return None
        token = _bearer(request)
        session = self.tokens.lookup(token) if token else None
        if session is None:
            return sf_error(401, "INVALID_SESSION_ID", INVALID_SESSION).to_response()
        request.environ[_SESSION_KEY] = session
        with self._usage_lock:
            self._roll_window()
            if self._usage >= self.daily_limit():
                return sf_error(
                    403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."
                ).to_response()
            self._usage += 1
        return None

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.TOKEN_EXPIRED and route.auth:
            token = _bearer(request)
            if token:
                self.tokens.revoke(token)
            return sf_error(401, "INVALID_SESSION_ID", INVALID_SESSION).to_response()
        if fault.kind in (FaultKind.RATE_LIMITED, FaultKind.RATE_LIMITED_NO_WAIT):
            response = sf_error(
                429, "REQUEST_LIMIT_EXCEEDED", "Too many requests: please retry later."
            ).to_response()
            if fault.kind is FaultKind.RATE_LIMITED:
                response.headers["Retry-After"] = str(max(1, fault.retry_after))
            return response
        status = fault.status or 503
        if status == 502:  # what a load balancer in front of an instance sends
            body = b"<html><body><h1>502 Bad Gateway</h1>Service Unavailable</body></html>"
            return Response(body, status=502, content_type="text/html")
        return json_response(
            [
                {
                    "message": "Server temporarily unavailable, please retry.",
                    "errorCode": "SERVER_UNAVAILABLE",
                }
            ],
            status,
        )

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        self._stamp(response)

    def _stamp(self, response: Response) -> None:
        used, total = self.api_usage()
        response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{total}"

    def not_found(self, request: Request) -> Response:
        response = sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE).to_response()
        self._stamp(response)
        return response

    def method_not_allowed(self, request: Request) -> Response:
        response = sf_error(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed."
        ).to_response()
        self._stamp(response)
        return response

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return sf_error(
            500,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact "
            "support: 1234567890-12345 (-1234567890)",
        ).to_response()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return None
