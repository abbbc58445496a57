"""The connector's MSAL token source gets a new access token ``token_refresh_margin_s``
before the old one expires, so a long sync never sends an expired token: on the sandbox
clock the old token is refused (401) an hour after it was issued, the new one is not.
Both clocks are moved by hand: no sleeping."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from connectors.dynamics.auth import DynamicsTokenSource
from connectors.dynamics.settings import DynamicsSettings
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR


class _Monotonic:
    """The connector's clock, moved with the sandbox's."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_the_token_is_renewed_before_it_expires() -> None:
    sandbox_clock = ManualClock(DEFAULT_ANCHOR)
    with Sandbox(
        SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR), clock=sandbox_clock
    ) as box:
        endpoint = box.info.dynamics
        ca = box.info.config_path.parent / "tls" / "ca.pem"
        settings = DynamicsSettings.model_validate(
            {
                "environment_url": endpoint.environment_url,
                "authority_host": endpoint.authority_host,
                "auth": {
                    "tenant_id": endpoint.tenant_id,
                    "client_id": endpoint.client_id,
                    "client_secret": endpoint.client_secret,
                },
                "ca_bundle": str(ca),
                "token_refresh_margin_s": 300,
            }
        )
        session = requests.Session()
        session.trust_env = False
        session.verify = str(ca)
        clock = _Monotonic()
        tokens = DynamicsTokenSource(settings, session, "dynamics", clock=clock)

        def status(token: str) -> int:
            url = f"{endpoint.environment_url}/api/data/v9.2/WhoAmI"
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            return session.get(url, headers=headers).status_code

        def advance(seconds: float) -> None:
            clock.now += seconds
            sandbox_clock.advance(seconds)

        first = tokens.current()
        assert (tokens.refreshes, status(first)) == (1, 200)
        advance(3_600 - 300 - 1)  # one second before the margin: still the cached token
        assert (tokens.current(), tokens.refreshes) == (first, 1)
        advance(2)  # inside the margin: a new token, though the old one is still valid
        second = tokens.current()
        assert (tokens.refreshes, second != first, status(first)) == (2, True, 200)
        advance(300)  # the first token's hour is over; the second has most of its own left
        assert (status(first), status(second)) == (401, 200)
        assert (tokens.current(), tokens.refreshes) == (second, 2)


def test_a_new_process_reuses_the_cached_token_until_it_nears_expiry(tmp_path: Path) -> None:
    """With ``auth.token_cache_file``, a second token source (a new process) sends the
    token the first one got and asks Entra ID nothing; once that token is within the
    margin of expiring, it gets a new one and writes it back. The file is mode 0600."""
    sandbox_clock = ManualClock(DEFAULT_ANCHOR)
    with Sandbox(
        SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR), clock=sandbox_clock
    ) as box:
        endpoint = box.info.dynamics
        ca = box.info.config_path.parent / "tls" / "ca.pem"
        cache_file = tmp_path / "secrets" / "dynamics-msal.json"
        settings = DynamicsSettings.model_validate(
            {
                "environment_url": endpoint.environment_url,
                "authority_host": endpoint.authority_host,
                "auth": {
                    "tenant_id": endpoint.tenant_id,
                    "client_id": endpoint.client_id,
                    "client_secret": endpoint.client_secret,
                    "token_cache_file": str(cache_file),
                },
                "ca_bundle": str(ca),
                "token_refresh_margin_s": 300,
            }
        )
        entra: list[str] = []  # the paths of every Entra ID request

        def session() -> requests.Session:
            s = requests.Session()
            s.trust_env = False
            s.verify = str(ca)

            def record(response: requests.Response, *args: object, **kwargs: object) -> None:
                path = urlsplit(response.url).path
                if "/api/data/" not in path:
                    entra.append(path)

            s.hooks["response"].append(record)
            return s

        wall = time.time()  # MSAL dates the cached token by the system clock
        moved = 0.0

        def source() -> DynamicsTokenSource:
            clock = _Monotonic()
            return DynamicsTokenSource(
                settings, session(), "dynamics", clock=clock, wall=lambda: wall + moved
            )

        first = source()
        token = first.current()
        tenant = endpoint.tenant_id
        assert entra == [
            f"/{tenant}/v2.0/.well-known/openid-configuration",
            f"/{tenant}/oauth2/v2.0/token",
        ]
        assert (cache_file.stat().st_mode & 0o777, first.refreshes) == (0o600, 1)

        entra.clear()
        moved = 3_600 - 300 - 5  # five seconds before the margin: the cached token serves
        sandbox_clock.advance(moved)
        second = source()
        assert (second.current(), second.refreshes, entra) == (token, 0, [])

        moved = 3_600 - 300 + 5  # inside the margin: a new token, written back to the file
        third = source()
        renewed = third.current()
        assert (third.refreshes, renewed != token) == (1, True)
        assert entra[-1] == f"/{tenant}/oauth2/v2.0/token"
        entra.clear()
        # MSAL dated the new token by the system clock: a minute after that, by the same clock
        moved = 60
        fourth = source()
        assert (fourth.current(), fourth.refreshes, entra) == (renewed, 0, [])

        cache_file.write_text("not json")  # an unreadable file is started afresh
        fifth = source()
        assert (fifth.current() != renewed, fifth.refreshes) == (True, 1)
        assert (source().current(), cache_file.stat().st_mode & 0o777) == (fifth.current(), 0o600)
