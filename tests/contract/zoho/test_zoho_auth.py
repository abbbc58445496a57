"""OAuth token refresh, the Zoho-oauthtoken header, and token expiry."""

from __future__ import annotations

import requests

from sandbox.zoho.auth import SCOPE


def _refresh(box, **overrides: str) -> requests.Response:
    params = {
        "grant_type": "refresh_token",
        "client_id": box.credentials.zoho_client_id,
        "client_secret": box.credentials.zoho_client_secret,
        "refresh_token": box.credentials.zoho_refresh_token,
        **overrides,
    }
    with box.session() as s:
        return s.post(f"{box.base_url}/oauth/v2/token", params=params)


def test_refresh_token_grant_in_query_string(zoho) -> None:
    response = _refresh(zoho)
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("1000.")
    assert body == {
        "access_token": body["access_token"],
        "scope": SCOPE,
        "api_domain": zoho.base_url,
        "token_type": "Bearer",
        "expires_in": 3600,
    }


def test_refresh_in_form_body_yields_a_working_token(zoho) -> None:
    with zoho.session() as s:
        body = s.post(
            f"{zoho.base_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": zoho.credentials.zoho_client_id,
                "client_secret": zoho.credentials.zoho_client_secret,
                "refresh_token": zoho.credentials.zoho_refresh_token,
            },
        ).json()
        s.headers["Authorization"] = f"Zoho-oauthtoken {body['access_token']}"
        response = s.get(f"{body['api_domain']}/crm/v8/Accounts", params={"fields": "id"})
    assert response.status_code == 200
    assert response.json()["info"]["count"] == 5


def test_token_errors_are_http_200(zoho) -> None:
    bad_client = _refresh(zoho, client_secret="nope")
    assert (bad_client.status_code, bad_client.json()) == (200, {"error": "invalid_client"})
    bad_refresh = _refresh(zoho, refresh_token="1000.nope")
    assert (bad_refresh.status_code, bad_refresh.json()) == (200, {"error": "invalid_code"})


def test_bearer_header_is_refused(zoho) -> None:
    with zoho.session() as s:
        s.headers["Authorization"] = f"Bearer {zoho.token}"
        response = s.get(zoho.url("Accounts"), params={"fields": "id"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }


def test_missing_and_unknown_tokens(zoho) -> None:
    with zoho.session() as s:
        missing = s.get(zoho.url("Accounts"), params={"fields": "id"})
        s.headers["Authorization"] = "Zoho-oauthtoken 1000.unknown"
        unknown = s.get(zoho.url("Accounts"), params={"fields": "id"})
    assert missing.status_code == 401
    assert missing.json()["code"] == "AUTHENTICATION_FAILURE"
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "INVALID_TOKEN"


def test_token_expires_after_an_hour_on_the_sandbox_clock(fresh_zoho) -> None:
    box = fresh_zoho
    assert box.http.get(box.url("Accounts"), params={"fields": "id"}).status_code == 200
    box.clock.advance(3599)
    assert box.http.get(box.url("Accounts"), params={"fields": "id"}).status_code == 200
    box.clock.advance(2)
    expired = box.http.get(box.url("Accounts"), params={"fields": "id"})
    assert expired.status_code == 401
    assert expired.json()["code"] == "INVALID_TOKEN"
    box.http.headers["Authorization"] = f"Zoho-oauthtoken {_refresh(box).json()['access_token']}"
    assert box.http.get(box.url("Accounts"), params={"fields": "id"}).status_code == 200


def test_unknown_path_is_zoho_shaped(zoho) -> None:
    response = zoho.http.get(f"{zoho.base_url}/crm/v9/Accounts")
    assert response.status_code == 404
    assert response.json()["code"] == "INVALID_URL_PATTERN"
