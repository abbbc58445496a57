"""Rate-limit headers, the ten-secondly / daily / search limits, and injected faults."""

from __future__ import annotations


def _get(session, hs, path="/crm/v3/objects/contacts", **params):
    with session.get(f"{hs.base_url}{path}", params=params) as r:
        return r.status_code, dict(r.headers), r.json()


def _strip_ids(body: dict) -> dict:
    assert len(body.pop("correlationId")) == 36
    assert len(body.pop("requestId")) == 36
    return body


def test_rate_limit_headers_on_every_non_search_response(hs):
    with hs.session() as session:
        _get(session, hs)
        status, headers, _ = _get(session, hs, "/crm/v3/owners/")
    assert status == 200
    assert {k: v for k, v in headers.items() if k.lower().startswith("x-hubspot-ratelimit")} == {
        "X-HubSpot-RateLimit-Daily": "250000",
        "X-HubSpot-RateLimit-Daily-Remaining": "249998",
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Max": "100",
        "X-HubSpot-RateLimit-Remaining": "98",
    }


def test_ten_secondly_limit_is_enforced_under_strict(serve):
    # Plain requests: the official client's default urllib3 Retry would honour Retry-After
    # and transparently retry the 429 once the window frees.
    hs = serve(profile="strict")
    hs.app.limits.ten_secondly = 3
    with hs.session() as session:
        assert [_get(session, hs, limit=1)[0] for _ in range(3)] == [200, 200, 200]
        status, headers, body = _get(session, hs, limit=1)
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 10
    assert headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert headers["X-HubSpot-RateLimit-Max"] == "3"
    assert _strip_ids(body) == {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "TEN_SECONDLY_ROLLING",
    }


def test_ten_secondly_limit_only_counts_without_strict(hs):
    hs.app.limits.ten_secondly = 2
    with hs.session() as session:
        statuses = [_get(session, hs, limit=1)[0] for _ in range(4)]
        _, headers, _ = _get(session, hs, limit=1)
    assert statuses == [200, 200, 200, 200]
    assert headers["X-HubSpot-RateLimit-Remaining"] == "0"


def test_daily_limit_is_enforced_in_every_profile(hs):
    hs.app.limits.daily = 2
    with hs.session() as session:
        assert [_get(session, hs)[0] for _ in range(2)] == [200, 200]
        status, headers, body = _get(session, hs)
    assert status == 429
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert _strip_ids(body) == {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "DAILY",
    }
    hs.clock.advance(24 * 3600)  # a new day on the sandbox clock
    with hs.session() as session:
        assert _get(session, hs)[0] == 200


def test_search_secondly_limit_under_strict(serve):
    hs = serve(profile="strict")
    hs.app.limits.search_per_second = 2
    url = f"{hs.base_url}/crm/v3/objects/contacts/search"
    with hs.session() as session:
        statuses, last = [], None
        for _ in range(3):
            with session.post(url, json={"limit": 1}) as r:
                statuses.append(r.status_code)
                last = r.json()
    assert statuses == [200, 200, 429]
    assert _strip_ids(last) == {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "SECONDLY",
    }


def _flaky(hs, session):
    with session.put(
        f"{hs.base_url}/_sandbox/faults",
        json={"profile": "flaky", "failure_rate": 1.0, "slow_s": 0},
    ) as r:
        assert r.status_code == 200


def test_flaky_faults_have_hubspot_shapes_and_clear_on_retry(hs):
    import requests

    shapes = set()
    with hs.session() as session:
        _flaky(hs, session)
        for limit in range(1, 31):
            try:
                status, headers, body = _get(session, hs, limit=limit)
            except requests.exceptions.ChunkedEncodingError:
                shapes.add("dropped")
            else:
                assert status in (429, 502, 503, 504)
                if status == 429 and "Retry-After" in headers:
                    assert headers["Retry-After"] == "1"
                    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
                    shapes.add("429 Retry-After")
                elif status == 429:
                    assert body["policyName"] == "SECONDLY"  # HubSpot names no wait here
                    shapes.add("429")
                else:
                    assert body["status"] == "error"
                    shapes.add("5xx")
            attempts = [_get(session, hs, limit=limit)[0] for _ in range(2)]
            assert attempts == [200, 200]
        with session.get(f"{hs.base_url}/_sandbox/faults") as r:
            injected = r.json()["injected"]
    assert shapes == {"dropped", "429 Retry-After", "429", "5xx"}
    # private-app tokens never expire: the five other kinds take turns
    assert injected["token_expired"] == 0
    assert sum(injected.values()) - injected["latency"] == 30


def test_flaky_token_expiry_revokes_the_oauth_token(hs):
    token = hs.app.issue_token()
    with hs.session(token) as session:
        _flaky(hs, session)
        expired = None
        for limit in range(1, 60):
            status, _, body = _get(session, hs, limit=limit)
            if status == 401:
                expired = limit
                break
        assert expired is not None
        assert body["category"] == "EXPIRED_AUTHENTICATION"
        assert body["message"] == "The OAuth token used to make this call expired 0 second(s) ago."
        hs.app.faults.configure("none")
        status, _, body = _get(session, hs, "/crm/v3/owners/")
    assert (status, body["category"]) == (401, "EXPIRED_AUTHENTICATION")
    with hs.session(hs.app.issue_token()) as session:
        assert _get(session, hs, "/crm/v3/owners/")[0] == 200


def test_stats_count_calls_by_endpoint(hs):
    with hs.session() as session:
        _get(session, hs)
        _get(session, hs, "/crm/v3/objects/contacts/100001")
        with session.get(f"{hs.base_url}/_sandbox/stats") as r:
            stats = r.json()
    assert stats == {
        "total": 2,
        "endpoints": {"GET /crm/v3/objects/<type>": 1, "GET /crm/v3/objects/<type>/<id>": 1},
    }
