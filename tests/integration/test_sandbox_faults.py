"""Injected faults: CRM-shaped errors, one failure per request then a success, same seed
same faults; and the daily limits answered as each CRM does."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import requests

from connectors.core.http import pinned_session
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.info import SandboxInfo


def _requests(
    info: SandboxInfo, http: requests.Session
) -> dict[str, Callable[[int], requests.Response]]:
    zoho_token = _zoho_token(info, http)
    sf = {"Authorization": f"Bearer {_salesforce_token(info, http)}"}
    hs = {"Authorization": f"Bearer {info.hubspot.access_token}"}
    zo = {"Authorization": f"Zoho-oauthtoken {zoho_token}"}
    return {
        "salesforce": lambda n: http.get(
            f"{info.salesforce.instance_url}/services/data/v59.0/query/",
            params={"q": f"SELECT Id FROM Lead LIMIT {n + 1}"},
            headers=sf,
        ),
        "hubspot": lambda n: http.get(
            f"{info.hubspot.base_url}/crm/v3/objects/contacts", params={"limit": n + 1}, headers=hs
        ),
        "zoho": lambda n: http.get(
            f"{info.zoho.api_domain}/crm/v8/Contacts",
            params={"fields": "Last_Name", "per_page": n + 1},
            headers=zo,
        ),
    }


def _salesforce_token(info: SandboxInfo, http: requests.Session) -> str:
    """A fresh Salesforce token by client credentials (an injected expiry revokes one)."""
    for _ in range(3):
        answer = _post_or_none(
            http,
            info.salesforce.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": info.salesforce.client_id,
                "client_secret": info.salesforce.client_secret,
            },
        )
        if answer is not None and answer.status_code == 200:
            return str(answer.json()["access_token"])
    raise AssertionError("the Salesforce token endpoint failed three times in a row")


def _zoho_token(info: SandboxInfo, http: requests.Session) -> str:
    """A Zoho access token; the accounts server may be faulted too, so try again."""
    for _ in range(3):
        answer = _post_or_none(
            http,
            f"{info.zoho.accounts_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": info.zoho.client_id,
                "client_secret": info.zoho.client_secret,
                "refresh_token": info.zoho.refresh_token,
            },
        )
        if answer is not None and answer.status_code == 200 and "access_token" in answer.json():
            return str(answer.json()["access_token"])
    raise AssertionError("the Zoho token endpoint failed three times in a row")


def _post_or_none(
    http: requests.Session, url: str, data: dict[str, str]
) -> requests.Response | None:
    """The answer, or None when the connection was dropped (an injected fault)."""
    try:
        return http.post(url, data=data)
    except requests.exceptions.ChunkedEncodingError:
        return None


DROPPED = 0  # the status recorded for a dropped connection


def _shape_ok(crm: str, response: requests.Response) -> bool:
    if response.status_code >= 500:
        return True  # gateways answer 5xx with HTML as often as with JSON
    body = response.json()
    if crm == "salesforce":
        return isinstance(body, list) and "errorCode" in body[0]
    if crm == "hubspot":
        return body["status"] == "error" and ("category" in body or "policyName" in body)
    return body["status"] == "error" and "code" in body


@pytest.fixture
def flaky() -> Iterator[Sandbox]:
    options = SandboxOptions(seed=3, scale="tiny", faults="flaky", anchor=DEFAULT_ANCHOR)
    with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
        yield sandbox


def _outcomes(sandbox: Sandbox, rate: float) -> dict[str, list[list[int]]]:
    for app in sandbox.apps.values():
        app.faults.configure("flaky", rate, slow_s=0)
    result: dict[str, list[list[int]]] = {}
    with pinned_session(sandbox.info.ca_bundle) as http:
        calls = _requests(sandbox.info, http)
        for crm, call in calls.items():
            result[crm] = []
            for n in range(20):
                statuses = []
                for _ in range(4):
                    try:
                        response = call(n)
                    except requests.exceptions.ChunkedEncodingError:
                        statuses.append(DROPPED)
                        continue
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        break
                    assert _shape_ok(crm, response), (crm, response.status_code, response.text)
                    if response.status_code == 401:  # an expired token: get a new one
                        calls = _requests(sandbox.info, http)
                        call = calls[crm]
                result[crm].append(statuses)
    return result


def test_every_failure_is_crm_shaped_and_a_retry_gets_through(flaky: Sandbox) -> None:
    outcomes = _outcomes(flaky, 1.0)
    for crm, per_request in outcomes.items():
        assert all(s[-1] == 200 for s in per_request), crm
        assert all(len(s) == 2 for s in per_request), crm  # one failure, then through
        failures = {status for s in per_request for status in s[:-1]}
        assert failures <= {DROPPED, 401, 429, 500, 502, 503, 504}, (crm, failures)
        expiring = {401} if crm != "hubspot" else set()  # private-app tokens never expire
        assert {DROPPED, 429, 504} | expiring <= failures, (crm, failures)  # every kind met


def test_the_same_seed_gives_the_same_faults() -> None:
    runs = []
    for _ in range(2):
        options = SandboxOptions(seed=5, scale="tiny", faults="flaky", anchor=DEFAULT_ANCHOR)
        with Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox:
            runs.append(_outcomes(sandbox, 0.3))
    assert runs[0] == runs[1]
    assert any(len(s) > 1 for per_crm in runs[0].values() for s in per_crm)


def test_daily_limits_are_answered_as_each_crm_does() -> None:
    options = SandboxOptions(seed=2, scale="tiny", anchor=DEFAULT_ANCHOR)
    with (
        Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox,
        pinned_session(sandbox.info.ca_bundle) as http,
    ):
        calls = _requests(sandbox.info, http)
        for crm in calls:  # the three CRMs whose daily limits this checks
            sandbox.apps[crm].limits.daily = 1
        answers = {crm: [call(0) for _ in range(3)][-1] for crm, call in calls.items()}
        sf, hs, zo = answers["salesforce"], answers["hubspot"], answers["zoho"]
        assert (sf.status_code, sf.json()) == (
            403,
            [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
        )
        assert hs.status_code == 429 and hs.json()["policyName"] == "DAILY"
        assert zo.status_code == 429 and zo.json()["code"] == "TOO_MANY_REQUESTS"


def test_a_round_trip_delays_each_crm_request_but_not_the_admin_calls() -> None:
    options = SandboxOptions(seed=5, scale="tiny", anchor=DEFAULT_ANCHOR)
    with (
        Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR)) as sandbox,
        pinned_session(sandbox.info.ca_bundle) as http,
    ):
        base = sandbox.info.hubspot.base_url
        headers = {"Authorization": f"Bearer {sandbox.info.hubspot.access_token}"}
        refused = http.put(f"{base}/_sandbox/faults", json={"round_trip_s": 6})
        assert refused.status_code == 400
        assert "round_trip_s must be between 0 and 5 seconds" in refused.text
        set_up = http.put(f"{base}/_sandbox/faults", json={"profile": "none", "round_trip_s": 0.3})
        assert set_up.status_code == 200
        assert http.get(f"{base}/_sandbox/faults").json()["round_trip_s"] == 0.3
        started = time.perf_counter()
        listed = http.get(f"{base}/crm/v3/objects/contacts", params={"limit": 1}, headers=headers)
        waited = time.perf_counter() - started
        assert listed.status_code == 200 and waited >= 0.3
        started = time.perf_counter()
        assert http.get(f"{base}/_sandbox/health").status_code == 200
        assert time.perf_counter() - started < 0.3  # the admin calls answer at once
        zoho = sandbox.apps["zoho"].faults  # each emulator keeps its own plan
        assert zoho.round_trip_s == 0
