"""OpenID Connect sign-in against a provider served on loopback (real HTTP, real RS256
keys): the code flow with PKCE signs an admin in; an ID token with a bad signature, for
another audience or with another nonce is refused, as is a replayed callback; an address
that is nobody's here gets no access; a missing client secret stops the server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync.config import CrmsyncConfig
from sync.errors import UsageError
from sync.store import open_store

pytest.importorskip("starlette")
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, oidc_provider
from web_support import Browser, serving

ADMIN = "ops@example.com"
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _config(tmp_path: Path, issuer: str, base_url: str = "http://127.0.0.1:8080") -> CrmsyncConfig:
    return CrmsyncConfig.model_validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
            "web": {
                "admins": [ADMIN],
                "base_url": base_url,
                "oidc": {"issuer": issuer, "client_id": CLIENT_ID, "label": "Sign in with Acme"},
            },
        }
    )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Provider, str]]:
    from sync.web.app import create_app

    monkeypatch.setenv("CRMSYNC_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    with oidc_provider() as provider:
        config = _config(tmp_path, provider.issuer)
        engine = open_store(config.store.url)
        app = create_app(
            config, engine, now=lambda: NOW, send_mail=lambda *a: None, secret="k" * 40, warm=False
        )
        with serving(app) as base:
            app.state.web.config = _config(tmp_path, provider.issuer, base)
            yield provider, base


def _sign_in(provider: Provider, base: str, **next_token: Any) -> tuple[Browser, Any, str]:
    """Through the provider and back; the browser, the callback's answer and its URL."""
    browser = Browser()
    page = browser.request(base + "/signin").body
    assert '<a id="oidc" href="/signin/oidc">Sign in with Acme</a>' in page
    to_provider = browser.request(base + "/signin/oidc")
    assert to_provider.status == 303
    assert to_provider.location.startswith(provider.issuer + "/authorize?")
    provider.next = next_token
    back = browser.request(to_provider.location)
    assert back.status == 302 and back.location.startswith(base + "/signin/oidc/callback?")
    return browser, browser.request(back.location), back.location


def test_an_admin_signs_in_through_the_provider(site: tuple[Provider, str]) -> None:
    provider, base = site
    browser, answer, callback = _sign_in(provider, base)
    assert (answer.status, answer.location) == (303, "/")
    assert len(provider.redeemed) == 1  # the code was exchanged, the PKCE verifier matched
    assert browser.request(base + "/").location == "/channels"
    # The same callback again (a replay) signs nobody in.
    thief = Browser()
    assert thief.request(callback).status == 400
    assert thief.request(base + "/").location == "/signin"


@pytest.mark.parametrize(
    ("wrong", "next_token"),
    [
        ("InvalidSignatureError", "other_key"),
        ("InvalidAudienceError", {"aud": "someone-else"}),
        ("the ID token's nonce is not this sign-in's", {"nonce": "not-this-sign-ins"}),
    ],
)
def test_an_id_token_that_does_not_verify_is_refused(
    site: tuple[Provider, str], wrong: str, next_token: Any, caplog: pytest.LogCaptureFixture
) -> None:
    provider, base = site
    caplog.set_level(logging.WARNING, logger="crmsync.web")
    overrides = {"key": provider.other_key} if next_token == "other_key" else next_token
    browser, answer, _ = _sign_in(provider, base, **overrides)
    assert answer.status == 400, wrong
    assert "could not be verified" in answer.body
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == [
        "single sign-on refused: "
        + (wrong if "nonce" in wrong else f"the ID token is not valid ({wrong})")
    ]
    assert browser.request(base + "/").location == "/signin"


def test_an_unknown_address_gets_no_access(site: tuple[Provider, str]) -> None:
    provider, base = site
    provider.email = "stranger@example.org"
    browser, answer, _ = _sign_in(provider, base)
    assert answer.status == 403
    assert "Your account has no access here" in answer.body
    assert browser.request(base + "/").location == "/signin"


def test_a_callback_that_did_not_start_here_is_refused(site: tuple[Provider, str]) -> None:
    _, base = site
    answer = Browser().request(base + "/signin/oidc/callback?code=abc&state=forged")
    assert answer.status == 400 and "did not start here" in answer.body


def test_the_client_secret_is_required_and_never_in_the_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.web.app import create_app

    monkeypatch.delenv("CRMSYNC_OIDC_CLIENT_SECRET", raising=False)
    config = _config(tmp_path, "https://login.example.com")
    engine = open_store(config.store.url)
    with pytest.raises(
        UsageError, match=r"needs the client secret in \$CRMSYNC_OIDC_CLIENT_SECRET"
    ):
        create_app(config, engine, now=lambda: NOW, send_mail=lambda *a: None, secret="k" * 40)
    with pytest.raises(ValueError, match="never the secret itself"):
        CrmsyncConfig.model_validate(
            {
                "web": {
                    "oidc": {
                        "issuer": "https://x",
                        "client_id": "c",
                        "client_secret_env": "s3cr:t!",
                    }
                }
            }
        )
