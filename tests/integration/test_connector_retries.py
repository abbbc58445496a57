"""One retry layer per call, every wait capped, a time budget per call.

A loopback server answers every request with ``429`` and ``Retry-After`` (HubSpot's and
Zoho's rate-limit shape) and counts what it received. The retry policy's sleep and clock
are replaced by a fake pair, so the test waits for nothing and checks the waits exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.core.errors import ConnectorFatalError, RetriesExhausted
from connectors.core.retry import RetryPolicy
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from connectors.salesforce import SalesforceConnector, SalesforceSettings
from connectors.zoho import ZohoConnector, ZohoSettings


@dataclass
class Throttler:
    """What the loopback server answers, and how many requests it received."""

    retry_after: str | None
    requests: int = 0
    url: str = ""


@pytest.fixture
def throttler() -> Iterator[Throttler]:
    state = Throttler(retry_after="3600")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            with lock:
                state.requests += 1
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            body = (
                b'{"status":"error","message":"You have reached your ten-secondly limit.",'
                b'"errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING",'
                b'"code":"TOO_MANY_REQUESTS"}'
            )
            self.send_response(429)
            if state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = _answer

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class FakeTime:
    """The policy's sleep and clock: a sleep moves the clock, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def policy(self) -> RetryPolicy:
        return RetryPolicy(sleep=self.sleep, clock=self.clock)


def _hubspot(url: str, time: FakeTime) -> HubSpotConnector:
    settings = HubSpotSettings(base_url=url, auth={"flow": "private_app", "access_token": "t"})
    return HubSpotConnector("hubspot", settings, retry=time.policy())


def _hubspot_oauth(url: str, time: FakeTime) -> HubSpotConnector:
    """OAuth: the first call refreshes the token, and the token endpoint is throttled too."""
    auth = {"flow": "oauth", "client_id": "c", "client_secret": "s", "refresh_token": "r"}
    settings = HubSpotSettings(base_url=url, auth=auth)
    return HubSpotConnector("hubspot", settings, retry=time.policy())


def _zoho(url: str, time: FakeTime) -> ZohoConnector:
    settings = ZohoSettings(
        api_domain=url,
        accounts_url=url,
        auth={"client_id": "c", "client_secret": "s", "refresh_token": "r"},
    )
    return ZohoConnector("zoho", settings, retry=time.policy())


def _salesforce(url: str, time: FakeTime) -> SalesforceConnector:
    settings = SalesforceSettings.model_validate(
        {
            "instance_url": url,
            "auth": {"flow": "client_credentials", "client_id": "c", "client_secret": "s"},
        }
    )
    return SalesforceConnector("salesforce", settings, retry=time.policy())


BUILDERS = {
    "hubspot": _hubspot,
    "hubspot-oauth": _hubspot_oauth,
    "zoho": _zoho,
    "salesforce": _salesforce,
}


@pytest.mark.parametrize("crm", ["hubspot", "hubspot-oauth", "zoho"])
def test_an_endless_429_costs_one_request_per_policy_attempt(
    crm: str, throttler: Throttler
) -> None:
    throttler.retry_after = "1"
    time = FakeTime()
    connector = BUILDERS[crm](throttler.url, time)
    try:
        with pytest.raises(RetriesExhausted) as caught:
            connector.server_time()
    finally:
        connector.close()
    # 20 waits the server named, then 6 failures: 26 attempts, one request each
    assert throttler.requests == 26
    assert len(time.waits) == 25
    assert time.waits[:20] == [1.0] * 20
    assert "gave up after 26 attempts" in caught.value.user_message


@pytest.mark.parametrize("crm", ["hubspot", "hubspot-oauth", "zoho"])
def test_a_retry_after_of_an_hour_is_capped_and_the_call_gives_up_in_its_budget(
    crm: str, throttler: Throttler
) -> None:
    throttler.retry_after = "3600"
    time = FakeTime()
    connector = BUILDERS[crm](throttler.url, time)
    try:
        with pytest.raises(RetriesExhausted) as caught:
            connector.server_time()
    finally:
        connector.close()
    # each wait capped at 120 s; the sixth would pass the 600 s budget, so the call stops
    assert time.waits == [120.0] * 5
    assert throttler.requests == 6
    assert caught.value.user_message.endswith("(gave up after 6 attempts and 600 s of waiting)")
    assert isinstance(caught.value, ConnectorFatalError)  # a sync stops the source for now


def test_salesforce_makes_one_request_per_attempt(throttler: Throttler) -> None:
    throttler.retry_after = None
    time = FakeTime()
    connector = _salesforce(throttler.url, time)
    try:
        with pytest.raises(RetriesExhausted):
            connector.server_time()
    finally:
        connector.close()
    assert throttler.requests == 6  # max_attempts, no rate-limit wait named
    assert len(time.waits) == 5
    assert all(wait <= 30.0 for wait in time.waits)
