"""The Dynamics 365 emulator: Entra ID's token endpoint and the Dataverse Web API.

Route modules: ``auth`` (Entra ID), ``records`` (queries, paging, change tracking, one
row, counts, WhoAmI), ``writes``, ``batch``, ``metadata`` (EntityDefinitions) and
``metadata_changes`` (RetrieveMetadataChanges, from the metadata version). This
module holds the hooks every request passes through: the bearer token (401 with
``WWW-Authenticate`` and no body, as Dataverse answers), the application user (403), the
service protection limits (429 with ``Retry-After``), a table the application user may
not read (403 naming the missing privilege, ``limits.unreadable``), injected faults, and
the OData error bodies of unknown paths.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.dynamics import auth, batch, metadata, metadata_changes, records, writes
from sandbox.dynamics.auth import TokenStore
from sandbox.dynamics.changes import ChangeIndex
from sandbox.dynamics.errors import (
    CONCURRENCY_LIMIT,
    INTERNAL,
    MISSING_PRIVILEGE,
    NOT_A_MEMBER,
    NOT_FOUND_SEGMENT,
    RECORD_NOT_FOUND,
    REQUESTS_LIMIT,
    ODataError,
    error_body,
)
from sandbox.dynamics.limits import DynamicsLimits, RequestWindow
from sandbox.dynamics.metadata_changes import MetadataLog
from sandbox.dynamics.render import Renderer
from sandbox.dynamics.schema import ENTITY_SETS, TABLES
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, RouteInfo, json_response
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["API_VERSIONS", "DynamicsEmulator"]

API_VERSIONS = ("v9.0", "v9.1", "v9.2")
BASE = "/api/data/<any(" + ", ".join(f'"{v}"' for v in API_VERSIONS) + "):version>"
_STATE_KEY = "crmsync.dynamics.in_flight"
_CALLER_KEY = "crmsync.dynamics.caller"


class DynamicsEmulator(EmulatorApp):
    """Emulates one Dynamics 365 environment and its Entra ID tenant on one base URL."""

    name = "dynamics"

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
        self.limits = DynamicsLimits()
        self.tokens = TokenStore(clock)
        self.window = RequestWindow()
        self.renderer = Renderer(world.dynamics)
        self.changes = ChangeIndex()  # what a delta request lists, by version
        self.metadata_log = MetadataLog()  # the metadata version, for RetrieveMetadataChanges
        self.organization_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"org{world.seed}.crm4"))
        self.business_unit_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"bu{world.seed}.crm4"))
        auth.register(self)
        metadata.register(self)
        metadata_changes.register(self)
        batch.register(self)
        records.register(self)
        writes.register(self)

    # -- helpers for route modules -------------------------------------------------------

    def api_route(self, method: str, suffix: str, handler: Callable[..., Response]) -> None:
        self.add_route(
            BASE + suffix, handler, [method], endpoint=f"{method} /api/data/<version>{suffix}"
        )

    def api_root(self, request: Request) -> str:
        return f"{request.host_url.rstrip('/')}/api/data/v9.2/"

    def resource_url(self, request: Request) -> str:
        """The environment URL: the resource its tokens are for."""
        return request.host_url.rstrip("/")

    def issue_token(self) -> str:
        return self.tokens.issue(self.credentials.dynamics_client_id)

    def caller_id(self) -> str | None:
        """The application user the API acts as (the non-interactive integration user)."""
        with self.world.lock:
            for row in self.world.dynamics["systemuser"].live():
                if row.get("accessmode") == 4:
                    return str(row["systemuserid"])
        return None

    def table_for(self, entity_set: str) -> Table:
        logical = ENTITY_SETS.get(entity_set)
        if logical is None:
            raise ODataError(
                404, NOT_FOUND_SEGMENT, f"Resource not found for the segment '{entity_set}'."
            )
        return self.world.dynamics[logical]

    def readable(self, table: Table) -> Table:
        """``table``, unless the application user lacks the privilege to read it (403)."""
        if table.name in self.limits.unreadable:
            info = TABLES[table.name]
            privilege = f"prvRead{table.name.capitalize()}"
            raise ODataError(
                403,
                MISSING_PRIVILEGE,
                f"Principal user (Id={self.caller_id()}, type=8, roleCount=1, "
                f"accessMode=4), is missing {privilege} privilege on "
                f"OTC={info.object_type_code} for entity '{table.name}'.",
            )
        return table

    def entity_set_of(self, table: Table) -> str:
        return TABLES[table.name].entity_set

    def row_or_404(self, table: Table, key: str) -> Record:
        row = table.get(key.strip("'").lower())
        if row is None:
            raise ODataError(404, RECORD_NOT_FOUND, f"{table.name} With Id = {key} Does Not Exist")
        return row

    # -- hooks -------------------------------------------------------------------------

    def _unauthorized(self, request: Request) -> Response:
        tenant = self.credentials.dynamics_tenant_id
        host = request.host_url.rstrip("/")
        response = Response(b"", 401)
        response.headers["WWW-Authenticate"] = (
            f"Bearer authorization_uri={host}/{tenant}/oauth2/authorize, resource_id={host}/"
        )
        return response

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        grant = self.tokens.grant(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            return self._unauthorized(request)
        if not grant.member:
            return json_response(
                error_body(NOT_A_MEMBER, "The user is not a member of the organization."), 403
            )
        wait = self.window.try_call(
            grant.client_id, self.clock.now().timestamp(), self.limits.requests
        )
        if wait:
            return self._too_many(
                wait,
                REQUESTS_LIMIT,
                f"Number of requests exceeded the limit of {self.limits.requests} over time "
                "window of 300 seconds.",
            )
        if not self.window.enter(self.limits.concurrency if self.faults.strict else None):
            return self._too_many(
                1,
                CONCURRENCY_LIMIT,
                f"Number of concurrent requests exceeded the limit of {self.limits.concurrency}.",
            )
        request.environ[_STATE_KEY] = True
        return None

    def _too_many(self, retry_after: int | None, code: str, message: str) -> Response:
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return json_response(error_body(code, message), 429, headers)

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMITED:
            return self._too_many(
                fault.retry_after or 1,
                REQUESTS_LIMIT,
                f"Number of requests exceeded the limit of {self.limits.requests} over time "
                "window of 300 seconds.",
            )
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return self._too_many(
                None,
                "0x80072321",
                "Combined execution time of incoming requests exceeded limit of 1,200,000 "
                "milliseconds over time window of 300 seconds.",
            )
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            _, _, token = request.headers.get("Authorization", "").partition(" ")
            self.tokens.revoke(token.strip())
            return self._unauthorized(request)
        return json_response(
            error_body(INTERNAL, "An unexpected error occurred."), fault.status or 500
        )

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        if request.environ.pop(_STATE_KEY, None):
            self.window.leave()
        if route.auth:
            response.headers["OData-Version"] = "4.0"

    def not_found(self, request: Request) -> Response:
        segment = request.path.rstrip("/").rsplit("/", 1)[-1]
        return json_response(
            error_body(NOT_FOUND_SEGMENT, f"Resource not found for the segment '{segment}'."),
            404,
        )

    def method_not_allowed(self, request: Request) -> Response:
        return json_response(
            error_body("0x80060888", f"The HTTP method '{request.method}' is not allowed."), 405
        )

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response(error_body(INTERNAL, "An unexpected error occurred."), 500)
