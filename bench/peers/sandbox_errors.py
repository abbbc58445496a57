"""Record the requests a running sandbox answered with 4xx or 5xx, per CRM.

The peer check runs the sandbox in its own process and hooks the emulators' public response
hooks (``finish_response``, ``not_found``, ``method_not_allowed``), so every refused request
is kept with its method, path, query, status and the start of the body the client got.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.http import EmulatorApp

__all__ = ["ErrorRecorder", "RefusedRequest"]

_BODY_CHARS = 160
_QUERY_CHARS = 200


@dataclass(frozen=True)
class RefusedRequest:
    crm: str
    method: str
    path: str
    query: str
    status: int
    body: str

    def line(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.status} {self.method} {self.path}{query}  {self.body}"


class ErrorRecorder:
    """Keeps the refused requests of the emulators it is attached to, until ``take``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: list[RefusedRequest] = []

    def attach(self, crm: str, app: EmulatorApp) -> None:
        finish = app.finish_response
        not_found = app.not_found
        not_allowed = app.method_not_allowed

        def finish_response(request: Any, route: Any, response: Any) -> None:
            finish(request, route, response)
            self._note(crm, request, response)

        def wrap(answer: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def refused(request: Any) -> Any:
                response = answer(request)
                self._note(crm, request, response)
                return response

            return refused

        app.finish_response = finish_response  # type: ignore[method-assign]
        app.not_found = wrap(not_found)  # type: ignore[method-assign]
        app.method_not_allowed = wrap(not_allowed)  # type: ignore[method-assign]

    def take(self) -> list[RefusedRequest]:
        """The refused requests since the last call, oldest first."""
        with self._lock:
            refused, self._refused = self._refused, []
        return refused

    def _note(self, crm: str, request: Any, response: Any) -> None:
        if response.status_code < 400:
            return
        body = b"" if response.is_streamed else response.get_data()
        entry = RefusedRequest(
            crm=crm,
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1")[:_QUERY_CHARS],
            status=response.status_code,
            body=body[:_BODY_CHARS].decode("utf-8", "replace").replace("\n", " "),
        )
        with self._lock:
            self._refused.append(entry)
