"""OAuth token flows, session expiry, versions, usage header and the daily limit."""

from __future__ import annotations

import jwt
import pytest
import requests
from conftest import Org
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from sandbox.salesforce import SalesforceEmulator


def _token(http: requests.Session, org: Org, **form: str) -> requests.Response:
    return http.post(f"{org.base}/services/oauth2/token", data=form)


def _use(org: Org, http: requests.Session, body: dict[str, str]) -> int:
    assert body["instance_url"] == org.base
    assert body["token_type"] == "Bearer"
    assert body["id"].startswith(f"{org.base}/id/00D5g000004SbXEEA0/005")
    assert body["issued_at"] == str(int(org.clock.now().timestamp() * 1000))
    sf = Salesforce(
        instance_url=body["instance_url"],
        session_id=body["access_token"],
        session=http,
        version="59.0",
    )
    return sf.query("SELECT COUNT() FROM Account")["totalSize"]


def test_client_credentials_basic_and_form(org: Org, http: requests.Session) -> None:
    c = org.credentials
    basic = http.post(
        f"{org.base}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(c.salesforce_client_id, c.salesforce_client_secret),
    )
    assert basic.status_code == 200
    assert "scope" not in basic.json()
    assert _use(org, http, basic.json()) == 3
    form = _token(
        http,
        org,
        grant_type="client_credentials",
        client_id=c.salesforce_client_id,
        client_secret=c.salesforce_client_secret,
    )
    assert _use(org, http, form.json()) == 3


def test_refresh_token_adds_scope(org: Org, http: requests.Session) -> None:
    c = org.credentials
    response = _token(
        http,
        org,
        grant_type="refresh_token",
        client_id=c.salesforce_client_id,
        client_secret=c.salesforce_client_secret,
        refresh_token=c.salesforce_refresh_token,
    )
    assert response.json()["scope"] == "api refresh_token"
    assert _use(org, http, response.json()) == 3
    bad = _token(
        http,
        org,
        grant_type="refresh_token",
        client_id=c.salesforce_client_id,
        refresh_token="nope",
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "expired access/refresh token"},
    )


def test_password_grant(org: Org, http: requests.Session) -> None:
    c = org.credentials
    good = _token(
        http,
        org,
        grant_type="password",
        client_id=c.salesforce_client_id,
        client_secret=c.salesforce_client_secret,
        username=c.salesforce_username,
        password=c.salesforce_password + c.salesforce_security_token,
    )
    assert _use(org, http, good.json()) == 3
    bad = _token(
        http,
        org,
        grant_type="password",
        client_id=c.salesforce_client_id,
        client_secret=c.salesforce_client_secret,
        username=c.salesforce_username,
        password=c.salesforce_password,
    )
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "authentication failure"},
    )


def test_jwt_bearer(org: Org, http: requests.Session) -> None:
    c = org.credentials
    claims = {
        "iss": c.salesforce_client_id,
        "sub": c.salesforce_username,
        "aud": "https://login.salesforce.com",
        "exp": int(org.clock.now().timestamp()) + 120,
    }
    key = SalesforceEmulator.jwt_private_key_pem()
    good = _token(
        http,
        org,
        grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion=jwt.encode(claims, key, algorithm="RS256"),
    )
    assert good.json()["scope"] == "api"
    assert _use(org, http, good.json()) == 3
    claims["exp"] = int(org.clock.now().timestamp()) - 1
    late = _token(
        http,
        org,
        grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion=jwt.encode(claims, key, algorithm="RS256"),
    )
    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant"


def test_missing_grant_type(org: Org, http: requests.Session) -> None:
    response = _token(http, org)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid_request", "error_description": "grant type is missing"},
    )


def test_session_expires_after_two_hours(org: Org, sf: Salesforce) -> None:
    assert sf.query("SELECT COUNT() FROM Lead")["done"] is True
    org.clock.advance(2 * 3600)
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query("SELECT COUNT() FROM Lead")
    assert info.value.status == 401
    assert info.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_unsupported_version_is_not_found(org: Org, http: requests.Session, token: str) -> None:
    for path in ("/services/data/v38/limits", "/services/data/v46.0/limits"):
        response = http.get(org.base + path, headers={"Authorization": f"OAuth {token}"})
        assert response.status_code == 404
        assert response.json() == [
            {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
        ]
    versions = http.get(f"{org.base}/services/data/").json()
    assert versions[0] == {"label": "Winter '20", "url": "/services/data/v47.0", "version": "47.0"}


def test_usage_header_and_daily_limit(org: Org, sf: Salesforce) -> None:
    sf.query("SELECT COUNT() FROM Lead")
    used = sf.api_usage["api-usage"].used
    assert sf.api_usage["api-usage"].total == 5_000_000
    org.app.limits.daily = used + 1
    try:
        sf.query("SELECT COUNT() FROM Lead")
        with pytest.raises(SalesforceRefusedRequest) as info:
            sf.query("SELECT COUNT() FROM Lead")
    finally:
        org.app.limits.daily = None
    assert info.value.status == 403
    assert info.value.content == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert sf.limits()["DailyApiRequests"]["Max"] == 5_000_000
