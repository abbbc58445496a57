"""``--health-port``: ``/healthz`` and Prometheus ``/metrics`` on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from sync.daemon.metrics import DaemonMetrics

__all__ = ["HealthServer"]


class HealthServer:
    """A small HTTP server in its own thread; ``alive`` says whether the scheduler runs."""

    def __init__(self, metrics: DaemonMetrics, port: int, alive: Callable[[], bool]) -> None:
        handler = _handler(metrics, alive)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="crmsync-health", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(metrics: DaemonMetrics, alive: Callable[[], bool]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                ok = alive()
                sources = {
                    name: {
                        "running": m.running,
                        "consecutive_failures": m.consecutive_failures,
                        "last_success": m.last_success.isoformat() if m.last_success else None,
                    }
                    for name, m in metrics.snapshot().items()
                }
                body = orjson.dumps({"status": "ok" if ok else "stopping", "sources": sources})
                self._send(200 if ok else 503, "application/json", body)
            elif self.path == "/metrics":
                body = metrics.render().encode()
                self._send(200, "text/plain; version=0.0.4; charset=utf-8", body)
            else:
                self._send(404, "text/plain", b"not found: use /healthz or /metrics\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # scrapes every few seconds would drown the daemon's own log

    return Handler
