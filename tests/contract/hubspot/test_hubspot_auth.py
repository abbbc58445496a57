"""Private-app and OAuth authentication, token expiry on the sandbox clock."""

from __future__ import annotations

import re

import orjson
import pytest
from hubspot.crm.contacts.exceptions import UnauthorizedException

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NOT_FOUND_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
    "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


def _refresh(hs):
    client = hs.client()
    creds = hs.credentials
    return client.oauth.tokens_api.create(
        grant_type="refresh_token",
        client_id=creds.hubspot_client_id,
        client_secret=creds.hubspot_client_secret,
        refresh_token=creds.hubspot_refresh_token,
    )


def test_private_app_token_reads(hs):
    page = hs.client().crm.contacts.basic_api.get_page(limit=1)
    assert [r.id for r in page.results] == ["100001"]


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_missing_or_unknown_token_is_401_invalid_authentication(hs, header):
    with hs.session("") as session:
        headers = {"Authorization": header} if header else {}
        with session.get(f"{hs.base_url}/crm/v3/objects/contacts", headers=headers) as response:
            body = response.json()
            assert response.status_code == 401
            assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    assert UUID.match(body.pop("correlationId"))
    assert body == {
        "status": "error",
        "message": NOT_FOUND_MESSAGE,
        "category": "INVALID_AUTHENTICATION",
    }


def test_oauth_refresh_then_expiry_after_1800_seconds(hs):
    tokens = _refresh(hs)
    assert tokens.expires_in == 1800
    assert tokens.token_type == "bearer"
    assert tokens.refresh_token == hs.credentials.hubspot_refresh_token
    client = hs.client(tokens.access_token)
    assert len(client.crm.companies.basic_api.get_page(limit=2).results) == 2

    hs.clock.advance(1799)
    assert len(client.crm.companies.basic_api.get_page(limit=2).results) == 2

    hs.clock.advance(2)
    with pytest.raises(UnauthorizedException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    body = orjson.loads(info.value.body)
    assert UUID.match(body.pop("correlationId"))
    assert body == {
        "status": "error",
        "message": "The OAuth token used to make this call expired 1 second(s) ago.",
        "category": "EXPIRED_AUTHENTICATION",
        "context": {"expire time": ["2026-10-31T00:30:00.000Z"]},
    }
    assert info.value.headers["x-hubspot-auth-failure"] == "401 Unauthorized"

    fresh = _refresh(hs).access_token
    assert fresh != tokens.access_token
    assert len(hs.client(fresh).crm.contacts.basic_api.get_page(limit=1).results) == 1


def test_private_app_token_never_expires(hs):
    hs.clock.advance(10 * 24 * 3600)
    assert len(hs.client().crm.contacts.basic_api.get_page(limit=3).results) == 3


@pytest.mark.parametrize(
    ("field", "status", "message"),
    [
        ("refresh_token", "BAD_REFRESH_TOKEN", "missing or unknown refresh token"),
        ("client_secret", "BAD_CLIENT_SECRET", "missing or invalid client_secret"),
        ("client_id", "BAD_CLIENT_ID", "missing or unknown client_id"),
    ],
)
def test_token_endpoint_rejects_bad_credentials(hs, field, status, message):
    creds = hs.credentials
    form = {
        "grant_type": "refresh_token",
        "client_id": creds.hubspot_client_id,
        "client_secret": creds.hubspot_client_secret,
        "refresh_token": creds.hubspot_refresh_token,
    }
    form[field] = "wrong"
    with hs.session("") as session, session.post(f"{hs.base_url}/oauth/v1/token", data=form) as r:
        body = r.json()
        assert r.status_code == 400
    assert UUID.match(body.pop("correlationId"))
    assert body == {"status": status, "message": message}
