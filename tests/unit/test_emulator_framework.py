"""The shared emulator framework over real HTTPS: stats, faults, admin paths, Date header."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from werkzeug.wrappers import Request, Response

from connectors.core.http import pinned_session
from sandbox.clock import ManualClock
from sandbox.faults import Fault, FaultPlan
from sandbox.http import (
    EmulatorApp,
    EmulatorError,
    EmulatorServer,
    RouteInfo,
    json_response,
)
from sandbox.tls import ensure_tls_files


class EchoApp(EmulatorApp):
    name = "echo"

    def __init__(self, clock: ManualClock, faults: FaultPlan) -> None:
        super().__init__(clock, faults)
        self.add_route("/things/<thing_id>", self.get_thing, endpoint="GET /things/{id}")
        self.add_route("/boom", self.boom, endpoint="GET /boom")

    def get_thing(self, request: Request, thing_id: str) -> Response:
        if thing_id == "missing":
            raise EmulatorError(404, [{"errorCode": "NOT_FOUND"}])
        return json_response({"id": thing_id})

    def boom(self, request: Request) -> Response:
        raise RuntimeError("bug")

    def fault_response(self, request: Request, route: RouteInfo, fault: Fault) -> Response:
        return json_response({"fault": fault.kind.value}, fault.status or 429)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, EchoApp]]:
    tls = ensure_tls_files(tmp_path_factory.mktemp("tls"))
    app = EchoApp(ManualClock(datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)), FaultPlan())
    server = EmulatorServer(app, tls)
    base = server.start()
    yield base, tls.ca_bundle, app
    server.stop()


@pytest.fixture
def http(served: tuple[str, Path, EchoApp]) -> Iterator[requests.Session]:
    session = pinned_session(served[1])
    requests_base = served[0]
    session.delete(f"{requests_base}/_sandbox/stats")
    yield session
    session.close()


def test_serves_https_verified_by_the_local_ca(http: requests.Session, served) -> None:
    base = served[0]
    assert base.startswith("https://127.0.0.1:")
    assert http.get(f"{base}/things/42").json() == {"id": "42"}
    with pytest.raises(requests.exceptions.SSLError), pinned_session() as plain:
        plain.get(f"{base}/things/42", timeout=5)  # the system CAs do not trust it


def test_counts_calls_by_route_template_and_resets(http: requests.Session, served) -> None:
    base = served[0]
    for thing in ("1", "2", "missing"):
        http.get(f"{base}/things/{thing}")
    http.get(f"{base}/nowhere")
    stats = http.get(f"{base}/_sandbox/stats").json()
    assert stats == {"total": 4, "endpoints": {"GET /things/{id}": 3, "GET <unmatched>": 1}}
    assert http.delete(f"{base}/_sandbox/stats").status_code == 204
    assert http.get(f"{base}/_sandbox/stats").json() == {"total": 0, "endpoints": {}}


def test_handler_errors_and_bugs_become_http_errors(http: requests.Session, served) -> None:
    base = served[0]
    missing = http.get(f"{base}/things/missing")
    assert (missing.status_code, missing.json()) == (404, [{"errorCode": "NOT_FOUND"}])
    assert http.get(f"{base}/boom").status_code == 500


def test_date_header_comes_from_the_sandbox_clock(http: requests.Session, served) -> None:
    base, _, app = served
    response = http.get(f"{base}/things/1")
    assert parsedate_to_datetime(response.headers["Date"]) == datetime(
        2026, 3, 4, 5, 6, 7, tzinfo=UTC
    )
    moved = http.post(f"{base}/_sandbox/clock", json={"advance_seconds": 60}).json()
    assert moved == {"now": "2026-03-04T05:07:07+00:00"}
    assert app.clock.now() == datetime(2026, 3, 4, 5, 7, 7, tzinfo=UTC)


def test_fault_profile_can_be_switched_at_run_time(http: requests.Session, served) -> None:
    base = served[0]
    switched = http.put(
        f"{base}/_sandbox/faults", json={"profile": "flaky", "failure_rate": 1, "slow_s": 0}
    )
    assert switched.json() == {"profile": "flaky", "failure_rate": 1}
    try:
        kind = http.get(f"{base}/things/7").json()["fault"]
    except requests.exceptions.ChunkedEncodingError:
        kind = "dropped_connection"
    shown = http.get(f"{base}/_sandbox/faults").json()
    assert {k: n for k, n in shown["injected"].items() if n and k != "latency"} == {kind: 1}
    assert (shown["failure_rate"], shown["slow_s"]) == (1, 0)
    bad = http.put(f"{base}/_sandbox/faults", json={"profile": "chaos"})
    assert bad.status_code == 400
    http.put(f"{base}/_sandbox/faults", json={"profile": "none"})
    assert http.get(f"{base}/things/7").json() == {"id": "7"}


def test_unknown_admin_path_is_404(http: requests.Session, served) -> None:
    assert http.get(f"{served[0]}/_sandbox/nothing").status_code == 404
