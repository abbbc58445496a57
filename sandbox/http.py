"""The small web framework the three emulators share.

``EmulatorApp`` is a WSGI application with werkzeug routing. For every API request it:
counts the call by route template (``CallStats``), asks the ``FaultPlan`` whether to fail
or slow it down, lets the CRM-specific subclass authenticate and rate-limit it, calls the
handler, and stamps a ``Date`` header from the sandbox clock (so clients that take the
server's time as their sync signpost see the CRM's own time).

Admin paths under ``/_sandbox/`` are never counted, faulted or authenticated:

- ``GET /_sandbox/stats`` (``DELETE`` resets) — calls served, total and per endpoint;
  requests no route matches (unknown paths, wrong methods) count too, as
  ``<METHOD> <unmatched>``;
- ``GET /_sandbox/health``;
- ``PUT /_sandbox/faults`` ``{"profile": "flaky", "failure_rate": 0.1, "slow_s": 2}``
  (resets the fault counts; ``"round_trip_s": 0.1`` makes every CRM request wait that
  long, as across the internet); ``GET`` shows the rates and the faults injected per kind;
- ``POST /_sandbox/clock`` ``{"advance_seconds": 1800}``;
- ``POST /_sandbox/churn`` ``{"changes": 500, "seed": 7}`` — applies churn to the world.

``EmulatorServer`` serves an app on loopback over HTTPS (cheroot: threaded, keep-alive).
"""

from __future__ import annotations

import email.utils
import logging
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.faults import Fault, FaultKind, FaultPlan
from sandbox.stats import CallStats

if TYPE_CHECKING:
    from sandbox.tls import TlsFiles

__all__ = [
    "UNMATCHED",
    "EmulatorApp",
    "EmulatorError",
    "EmulatorServer",
    "Handler",
    "RouteInfo",
    "json_body",
    "json_response",
]

log = logging.getLogger(__name__)

Handler = Callable[..., Response]

# The stats key (after the method) of requests no route matches: unknown paths, wrong methods.
UNMATCHED = "<unmatched>"


class EmulatorError(Exception):
    """Raised by handlers to answer with a CRM-shaped error."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}

    def to_response(self) -> Response:
        return json_response(self.body, self.status, self.headers)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = b"" if data is None else orjson.dumps(data)
    response = Response(body, status=status, headers=headers)
    if data is not None:
        response.content_type = "application/json;charset=UTF-8"
    return response


def json_body(request: Request) -> Any:
    """The request's JSON body, or ``None`` when empty. Raises ``ValueError`` if malformed."""
    raw = request.get_data(cache=True)
    if not raw:
        return None
    return orjson.loads(raw)


@dataclass(frozen=True)
class RouteInfo:
    """What the dispatcher knows about the matched route."""

    endpoint: str
    rule: str
    auth: bool


class EmulatorApp:
    """Base class of the Salesforce, HubSpot and Zoho emulators.

    Subclasses register routes with ``self.add_route`` and override the three hooks:
    ``check_request`` (authentication and rate limits; return a response to refuse),
    ``fault_response`` (how this CRM answers an injected fault) and ``finish_response``
    (headers every response carries, like ``Sforce-Limit-Info``).
    """

    name = "emulator"

    def __init__(self, clock: Clock, faults: FaultPlan | None = None) -> None:
        self.clock = clock
        self.faults = faults or FaultPlan()
        self.stats = CallStats()
        self.url_map = Map(strict_slashes=False, merge_slashes=False)
        self._handlers: dict[str, tuple[Handler, RouteInfo]] = {}
        self.admin_hooks: dict[str, Callable[[dict[str, Any]], Any]] = {}

    # -- registration ---------------------------------------------------------------

    def add_route(
        self,
        rule: str,
        handler: Handler,
        methods: Iterable[str] = ("GET",),
        endpoint: str | None = None,
        auth: bool = True,
    ) -> None:
        methods = tuple(methods)
        name = endpoint or f"{'|'.join(methods)} {rule}"
        self.url_map.add(Rule(rule, endpoint=name, methods=list(methods)))
        self._handlers[name] = (handler, RouteInfo(endpoint=name, rule=rule, auth=auth))

    def resolve(self, environ: dict[str, Any]) -> tuple[Handler, RouteInfo, dict[str, Any]]:
        """The handler a request would reach (for batch APIs that run subrequests).

        Raises werkzeug's ``NotFound`` / ``MethodNotAllowed`` like the dispatcher sees them.
        """
        endpoint, args = self.url_map.bind_to_environ(environ).match()
        handler, route = self._handlers[endpoint]
        return handler, route, dict(args)

    # -- hooks ----------------------------------------------------------------------

    def check_request(self, request: Request, route: RouteInfo) -> Response | None:
        return None

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        return json_response({"error": fault.kind.value}, fault.status or 500)

    def token_can_expire(self, request: Request, route: RouteInfo) -> bool:
        """Whether this (authenticated) request carries a token an injected expiry fits."""
        return route.auth

    def finish_response(self, request: Request, route: RouteInfo, response: Response) -> None:
        return None

    def not_found(self, request: Request) -> Response:
        return json_response({"error": "not found"}, 404)

    def method_not_allowed(self, request: Request) -> Response:
        return json_response({"error": "method not allowed"}, 405)

    def internal_error(self, request: Request, exc: Exception) -> Response:
        return json_response({"error": "internal error", "detail": str(exc)}, 500)

    # -- WSGI -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if self.faults.round_trip_s and not request.path.startswith("/_sandbox/"):
            time.sleep(self.faults.round_trip_s)  # the network a real CRM is across
        response = self._dispatch(request)
        response.headers["Date"] = email.utils.format_datetime(self.clock.now(), usegmt=True)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_sandbox/"):
            return self._admin(request)
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except HTTPException as exc:
            # A call the CRM would refuse still costs the client a round trip (and, on the
            # real APIs, quota): count it, under one key so probed paths cannot flood stats.
            self.stats.count(f"{request.method} {UNMATCHED}")
            if isinstance(exc, NotFound):
                return self.not_found(request)
            if isinstance(exc, MethodNotAllowed):
                return self.method_not_allowed(request)
            return json_response({"error": exc.description}, exc.code or 400)  # redirects
        handler, route = self._handlers[endpoint]
        self.stats.count(route.endpoint)
        try:
            response = self.check_request(request, route)
            if response is None:
                fault = self.faults.decide(
                    request.method,
                    request.path,
                    request.query_string.decode("latin-1"),
                    request.get_data(cache=True),
                    token_can_expire=self.token_can_expire(request, route),
                )
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is None or fault.kind is FaultKind.LATENCY:
                    response = handler(request, **args)
                elif fault.kind is FaultKind.DROPPED:
                    response = _dropped_connection()
                else:
                    response = self.fault_response(request, route, fault)
        except EmulatorError as exc:
            response = exc.to_response()
        except Exception as exc:  # a bug in an emulator: answer 500 like a real server
            log.exception("%s emulator failed on %s %s", self.name, request.method, request.path)
            response = self.internal_error(request, exc)
        self.finish_response(request, route, response)
        return response

    def _admin(self, request: Request) -> Response:
        action = request.path.removeprefix("/_sandbox/").strip("/")
        try:
            payload = json_body(request) or {}
        except ValueError:
            return json_response({"error": "body must be JSON"}, 400)
        if action == "stats" and request.method == "GET":
            return json_response(self.stats.snapshot())
        if action == "stats" and request.method == "DELETE":
            self.stats.reset()
            return json_response(None, 204)
        if action == "health":
            return json_response(
                {"status": "ok", "emulator": self.name, "now": self.clock.now().isoformat()}
            )
        if action == "faults" and request.method == "PUT":
            try:
                self.faults.configure(
                    payload.get("profile", self.faults.profile.value),
                    payload.get("failure_rate"),
                    payload.get("slow_s"),
                    payload.get("round_trip_s"),
                )
            except (TypeError, ValueError) as exc:
                return json_response({"error": str(exc)}, 400)
            return json_response(
                {"profile": self.faults.profile.value, "failure_rate": self.faults.failure_rate}
            )
        if action == "faults" and request.method == "GET":
            plan = self.faults
            return json_response(
                {
                    "profile": plan.profile.value,
                    "failure_rate": plan.failure_rate,
                    "latency_rate": plan.latency_rate,
                    "slow_s": plan.slow_s,
                    "round_trip_s": plan.round_trip_s,
                    "injected": plan.counts(),
                }
            )
        if action == "clock" and request.method == "POST":
            advance = getattr(self.clock, "advance", None)
            if advance is None:
                return json_response({"error": "this clock cannot be advanced"}, 400)
            when = advance(float(payload.get("advance_seconds", 0)))
            return json_response({"now": when.isoformat()})
        hook = self.admin_hooks.get(action)
        if hook is not None and request.method == "POST":
            try:
                return json_response(hook(payload))
            except (ValueError, KeyError) as exc:
                return json_response({"error": str(exc)}, 400)
        return json_response({"error": f"unknown sandbox admin path {request.path}"}, 404)


class _ConnectionDropped(Exception):
    """Raised mid-body to make the server close the connection (an injected fault)."""


def _dropped_connection() -> Response:
    """Headers and the start of a body, then the connection closes: the client sees a
    broken connection (``IncompleteRead``), as when a proxy or the CRM drops it."""

    def body() -> Iterator[bytes]:
        yield b'{"data": ['
        raise _ConnectionDropped

    response = Response(body(), status=200, content_type="application/json;charset=UTF-8")
    response.headers["Content-Length"] = "4096"
    return response


_CLIENT_GONE = (_ConnectionDropped, ssl.SSLEOFError, BrokenPipeError, ConnectionResetError)


class EmulatorServer:
    """Serves one emulator on loopback over HTTPS in a background thread."""

    def __init__(
        self,
        app: EmulatorApp,
        tls: TlsFiles | None,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 8,
    ) -> None:
        self.app = app
        self._server = wsgi.Server(
            (host, port), app, numthreads=threads, server_name=f"crmsync-sandbox-{app.name}"
        )
        self._server.shutdown_timeout = 1
        self._server.error_log = self._error_log  # type: ignore[method-assign]
        if tls is not None:
            self._server.ssl_adapter = BuiltinSSLAdapter(str(tls.server_cert), str(tls.server_key))
        self.scheme = "https" if tls is not None else "http"
        self._thread: threading.Thread | None = None

    def _error_log(self, msg: str = "", level: int = 20, traceback: bool = False) -> None:
        # An injected dropped connection is the emulator's intent, and a client that gave up
        # on a held answer (an injected timeout) has gone: neither is a server error.
        if isinstance(sys.exc_info()[1], _CLIENT_GONE):
            return
        wsgi.Server.error_log(self._server, msg, level, traceback)

    def start(self) -> str:
        """Bind, start serving, and return the base URL (``https://127.0.0.1:PORT``)."""
        self._server.prepare()
        host, port = self._server.bind_addr[:2]
        self._thread = threading.Thread(
            target=self._server.serve, daemon=True, name=f"sandbox-{self.app.name}"
        )
        self._thread.start()
        return f"{self.scheme}://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
