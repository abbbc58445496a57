"""The connectors' HTTP session: requests' environment merge, with proxies read once per host."""

from __future__ import annotations

import pytest
import requests

from connectors.core.http import ConnectorSession, PinnedCaSession, pinned_session

URLS = (
    "https://crm.example.com/services/data/v60.0/query?q=1",
    "https://internal.example.org:8443/api",
    "http://crm.example.com/plain",
)
# What requests passes on (it picks the proxy of the URL's scheme when it sends).
ENV_PROXIES = {
    "https": "http://proxy.example.net:3128",
    "http": "http://proxy.example.net:3129",
    "no": "internal.example.org",
}


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.net:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.net:3129")
    monkeypatch.setenv("NO_PROXY", "internal.example.org")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/env-bundle.pem")


@pytest.mark.usefixtures("proxy_env")
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("verify", [None, True, False, "/call/bundle.pem"])
def test_the_merge_equals_requests_own_for_every_url_and_verify(url: str, verify: object) -> None:
    ours, theirs = ConnectorSession(), requests.Session()
    for _ in range(2):  # the second call answers from the per-host cache
        assert ours.merge_environment_settings(
            url, {}, None, verify, None
        ) == theirs.merge_environment_settings(url, {}, None, verify, None)


@pytest.mark.usefixtures("proxy_env")
def test_proxies_come_from_the_environment_and_no_proxy_is_honoured() -> None:
    session = pinned_session()
    merged = session.merge_environment_settings(URLS[0], {}, None, None, None)
    assert dict(merged["proxies"]) == ENV_PROXIES
    assert merged["verify"] == "/etc/env-bundle.pem"
    bypassed = session.merge_environment_settings(URLS[1], {}, None, None, None)
    assert dict(bypassed["proxies"]) == {}


@pytest.mark.usefixtures("proxy_env")
def test_a_pinned_bundle_wins_over_the_environment_unless_the_call_says_otherwise() -> None:
    session = pinned_session("/srv/crm-ca.pem")
    assert isinstance(session, PinnedCaSession)
    merged = session.merge_environment_settings(URLS[0], {}, None, None, None)
    assert merged["verify"] == "/srv/crm-ca.pem"
    assert dict(merged["proxies"]) == ENV_PROXIES
    assert session.merge_environment_settings(URLS[0], {}, None, True, None)["verify"] == (
        "/etc/env-bundle.pem"
    )
    assert session.merge_environment_settings(URLS[0], {}, None, False, None)["verify"] is False


def test_the_environment_is_read_once_per_host(
    proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = ConnectorSession()
    first = session.merge_environment_settings(URLS[0], {}, None, None, None)
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example.net:8080")
    again = session.merge_environment_settings(URLS[0], {}, None, None, None)
    assert dict(again["proxies"]) == dict(first["proxies"]) == ENV_PROXIES
    fresh = ConnectorSession().merge_environment_settings(URLS[0], {}, None, None, None)
    assert fresh["proxies"]["https"] == "http://other.example.net:8080"
