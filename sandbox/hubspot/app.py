"""The HubSpot CRM API emulator (CRM v3/v4, OAuth v1).

Routes live in small modules by noun (``auth``, ``reads``, ``search``, ``writes``,
``batch``, ``properties``, ``owners``, ``associations``, ``pipelines``); this class holds
the shared state and answers the dispatcher's hooks in HubSpot's shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.http import EmulatorApp, EmulatorError, RouteInfo, json_response
from sandbox.hubspot import (
    association_batch,
    associations,
    auth,
    batch,
    currencies,
    forms,
    legacy_engagements,
    legacy_objects,
    legacy_properties,
    marketing,
    object_schemas,
    owners,
    pipelines,
    properties,
    reads,
    scopes,
    search,
    users,
    writes,
)
from sandbox.hubspot.cache import QueryCache
from sandbox.hubspot.errors import error_body
from sandbox.hubspot.limits import HubSpotLimits, RateLimiter, rate_limit_error
from sandbox.hubspot.modified_index import ModifiedIndex
from sandbox.hubspot.objects import SINGULAR
from sandbox.hubspot.schema import PRIMARY_ASSOCIATION_TYPES
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["HubSpotEmulator"]

_CALLER = "crmsync.hubspot.caller"
_USAGE = "crmsync.hubspot.usage"


class HubSpotEmulator(EmulatorApp):
    """Serves ``world.hubspot`` like ``api.hubapi.com``.

    ``limits`` can be changed at run time (``app.limits.daily = 15``);
    ``issue_token()`` mints an OAuth access token without the HTTP round trip;
    ``private_app_scopes`` is every scope (``None``) or the set the private app was granted:
    a request needing another one gets HubSpot's 403 ``MISSING_SCOPES`` (``scopes``).
    """

    name = "hubspot"

    def __init__(
        self,
        world: World,
        clock: Clock,
        faults: FaultPlan,
        credentials: SandboxCredentials,
        limits: HubSpotLimits | None = None,
    ) -> None:
        super().__init__(clock, faults)
        self.world = world
        self.credentials = credentials
        self.limits = limits or HubSpotLimits()
        self.limiter = RateLimiter(self.limits)
        self.tokens = auth.TokenStore(credentials, clock)
        self.cache = QueryCache()
        self.modified = ModifiedIndex()
        self.modified.watch(world.hubspot.values())
        # Properties whose values are unique per object type (idProperty candidates).
        self.unique_properties: dict[str, set[str]] = {"contacts": {"email"}}
        # Metadata of properties created through the API (options, groups, field types).
        self.property_meta: dict[tuple[str, str], dict[str, Any]] = {}
        self.private_app_scopes: frozenset[str] | None = None
        for module in (
            auth,
            reads,
            search,
            writes,
            batch,
            properties,
            legacy_properties,
            legacy_objects,
            legacy_engagements,
            object_schemas,
            owners,
            associations,
            association_batch,
            pipelines,
            forms,
            marketing,
            currencies,
            users,
        ):
            module.register(self)

    # -- helpers for route modules ---------------------------------------------------

    def issue_token(self) -> str:
        """An OAuth access token valid for 1800 s on the sandbox clock."""
        return self.tokens.issue()

    @property
    def limits(self) -> HubSpotLimits:
        return self._limits

    @limits.setter
    def limits(self, value: HubSpotLimits) -> None:
        self._limits = value
        if hasattr(self, "limiter"):
            self.limiter.limits = value

    def api_user_id(self) -> int | None:
        """The HubSpot user the API acts as: the portal's first live owner (the account's
        first user installs the app), else none. Caller holds ``world.lock``."""
        live = [o for o in self.world.hubspot_owners if not o.get("archived")]
        if not live:
            return None
        first = min(live, key=lambda o: int(o["id"]))
        return int(first["userId"]) if first.get("userId") is not None else None

    def find_id(
        self, table: Table, raw_id: str, id_property: str | None, archived: bool = False
    ) -> str | None:
        """Resolve an id (or a unique property value) to a stored id; None if absent.

        Caller holds ``world.lock``.
        """
        if id_property and id_property != "hs_object_id":
            if id_property not in self.unique_properties.get(table.name, set()):
                return None
            rid = self.cache.unique_index(table, id_property).get(raw_id.lower())
        else:
            rid = raw_id
        if rid is None or rid not in table.rows:
            return None
        if table.is_deleted(rid) != archived:
            return None
        return rid

    def v3_labels(self, from_type: str, to_type: str, type_ids: set[int]) -> list[str]:
        """v3 association type names (``contact_to_company`` / ``..._unlabeled``)."""
        base = f"{SINGULAR[from_type]}_to_{SINGULAR[to_type]}"
        primary = PRIMARY_ASSOCIATION_TYPES.get((from_type, to_type))
        labels = []
        for type_id in sorted(type_ids):
            if primary is None or type_id == primary:
                labels.append(base)
            else:
                labels.append(f"{base}_unlabeled")
        return labels

    # -- hooks ------------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        if not route.auth:
            return None
        try:
            caller = self.tokens.authenticate(request)
            request.environ[_CALLER] = caller
            granted = None if caller.oauth else self.private_app_scopes
            refused = scopes.missing_scopes_response(granted, request)
            if refused is not None:
                return refused
            usage = self.limiter.acquire(
                caller.app,
                self.clock.now().date(),
                search=_is_search(route),
                enforce=self.faults.strict,
            )
        except EmulatorError as exc:
            return exc.to_response()
        request.environ[_USAGE] = usage
        return None

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        caller = request.environ.get(_CALLER)
        if fault.kind is FaultKind.TOKEN_EXPIRED:
            if caller is not None and caller.oauth and self.tokens.revoke(caller.token):
                return self.tokens.expired(caller.token).to_response()
            # Private-app tokens cannot expire (token_can_expire): throttle instead.
            return rate_limit_error("TEN_SECONDLY_ROLLING", retry_after=1).to_response()
        if fault.kind is FaultKind.RATE_LIMITED:
            retry = max(1, fault.retry_after)
            return rate_limit_error("TEN_SECONDLY_ROLLING", retry_after=retry).to_response()
        if fault.kind is FaultKind.RATE_LIMITED_NO_WAIT:
            return rate_limit_error("SECONDLY").to_response()  # HubSpot names no wait here
        status = {500: 502}.get(fault.status, fault.status or 502)
        messages = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
        body = error_body(messages.get(status, "internal error"), "SERVICE_UNAVAILABLE")
        return json_response(body, status)

    def token_can_expire(self, request: Request, route: RouteInfo) -> bool:
        caller = request.environ.get(_CALLER)
        return route.auth and caller is not None and caller.oauth

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        caller = request.environ.get(_CALLER)
        if caller is None or _is_search(route):
            return
        usage = request.environ.get(_USAGE) or self.limiter.usage(caller.app)
        headers = response.headers
        headers["X-HubSpot-RateLimit-Daily"] = str(usage.daily)
        headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(usage.daily_remaining)
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000"
        headers["X-HubSpot-RateLimit-Max"] = str(usage.max)
        headers["X-HubSpot-RateLimit-Remaining"] = str(usage.remaining)

    def not_found(self, request: Request) -> Response:
        body = error_body(f"Unable to route {request.method} {request.path}", "OBJECT_NOT_FOUND")
        return json_response(body, 404)

    def method_not_allowed(self, request: Request) -> Response:
        body = error_body(f"HTTP method {request.method} is not supported by this resource")
        return json_response(body, 405)

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response(error_body("internal error", "INTERNAL_ERROR"), 500)


def _is_search(route: RouteInfo) -> bool:
    return route.endpoint.endswith("/search")
