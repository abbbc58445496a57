"""The daemon's ingestion endpoint: every enabled source that takes pushed data (the
events connector's ``POST /v1/batch``) on one port, a batch routed to the source whose
write key it carries, as Segment routes by write key. Served by uvicorn in a thread of the
daemon; what it accepts is spooled to the source's directory and read by its next sync."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["IngestServer", "ingesting"]


def ingesting(connectors: Sequence[Any]) -> list[Any]:
    """The connectors among ``connectors`` whose ingestion endpoint is set up (an events
    source with a write key)."""
    return [c for c in connectors if getattr(c, "has_endpoint", lambda: False)()]


class IngestServer:
    """One HTTP server for the endpoints of ``connectors``, in a background thread."""

    def __init__(self, connectors: Sequence[Any], host: str, port: int) -> None:
        import uvicorn

        routes = [(c, c.ingest_app()) for c in connectors]

        async def dispatch(scope: Any, receive: Any, send: Any) -> None:
            from starlette.responses import JSONResponse

            if scope["type"] == "http":
                headers = dict(scope.get("headers") or [])
                header = headers.get(b"authorization", b"").decode("latin-1")
                for connector, app in routes:
                    if connector.accepts(header):
                        await app(scope, receive, send)
                        return
            # the endpoints' error shape (Segment's: code and message)
            error = {"code": "unauthorized", "message": "missing or wrong write key"}
            answer = JSONResponse(error, 401)
            await answer(scope, receive, send)

        config = uvicorn.Config(dispatch, host=host, port=port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="ingest", daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError("the ingestion endpoint did not start")
            time.sleep(0.02)
        if not self._server.started:
            raise RuntimeError("the ingestion endpoint could not listen (port in use?)")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
