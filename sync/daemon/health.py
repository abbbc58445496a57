"""``--health-port``: ``/healthz`` and Prometheus ``/metrics`` on 127.0.0.1.

``/healthz`` answers 200 ``ok`` only while the scheduler runs and every job is healthy. A
job is unhealthy once it has failed ``alerts.after_failures`` times in a row (when the
admins get their alert) or when its last success (or the daemon's start, if it never
succeeded) is older than its lag bound (``schedule.max_lag``, by default three intervals of
its schedule and at least 15 minutes); the daemon then answers 503 ``unhealthy`` with the
reason of each such job under ``problems``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from sync.daemon.metrics import DaemonMetrics, SourceMetrics
from sync.daemon.scheduler import duration_text

__all__ = ["HealthRules", "HealthServer", "job_problems"]


@dataclass(frozen=True)
class HealthRules:
    """What makes each scheduled job unhealthy; jobs not in ``max_lag`` are not judged."""

    after_failures: int
    max_lag: Mapping[str, timedelta]
    lag_origin: str  # where the bound comes from, for the reason shown to the operator


def job_problems(
    snapshot: Mapping[str, SourceMetrics], rules: HealthRules, now: datetime
) -> dict[str, str]:
    """The reason each unhealthy job is unhealthy, by job name."""
    problems: dict[str, str] = {}
    for name, bound in sorted(rules.max_lag.items()):
        metrics = snapshot.get(name)
        if metrics is None:
            continue
        reasons = []
        failures = metrics.consecutive_failures
        if failures >= rules.after_failures:
            times = "time" if failures == 1 else "times"
            reasons.append(
                f"failed {failures} {times} in a row (alerts.after_failures: "
                f"{rules.after_failures})"
            )
        since = metrics.last_success or metrics.since
        if since is not None and now - since > bound:
            reasons.append(f"no success for more than {duration_text(bound)} ({rules.lag_origin})")
        if reasons:
            problems[name] = "; ".join(reasons)
    return problems


class HealthServer:
    """A small HTTP server in its own thread; ``alive`` says whether the scheduler runs and
    ``rules`` (called on each request, so a reload applies) what makes a job unhealthy."""

    def __init__(
        self,
        metrics: DaemonMetrics,
        port: int,
        alive: Callable[[], bool],
        rules: Callable[[], HealthRules],
        now: Callable[[], datetime],
    ) -> None:
        handler = _handler(metrics, alive, rules, now)
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


def _health(
    metrics: DaemonMetrics,
    alive: Callable[[], bool],
    rules: Callable[[], HealthRules],
    now: Callable[[], datetime],
) -> tuple[int, bytes]:
    snapshot = metrics.snapshot()
    problems = job_problems(snapshot, rules(), now())
    status = "stopping" if not alive() else "unhealthy" if problems else "ok"
    sources = {
        name: {
            "running": m.running,
            "consecutive_failures": m.consecutive_failures,
            "last_success": m.last_success.isoformat() if m.last_success else None,
        }
        for name, m in snapshot.items()
    }
    body = orjson.dumps({"status": status, "problems": problems, "sources": sources})
    return (200 if status == "ok" else 503), body


def _handler(
    metrics: DaemonMetrics,
    alive: Callable[[], bool],
    rules: Callable[[], HealthRules],
    now: Callable[[], datetime],
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                status, body = _health(metrics, alive, rules, now)
                self._send(status, "application/json", body)
            elif self.path == "/metrics":
                body, content_type = metrics.exposition(self.headers.get("Accept"))
                self._send(200, content_type, body)
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
