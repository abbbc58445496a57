"""Fixtures: a tiny sandbox on a manual clock, and Zoho connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from zohoconn_support import start_sandbox

from connectors.core.http import pinned_session
from connectors.core.retry import RetryPolicy
from connectors.zoho import ZohoConnector, ZohoSettings
from sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A sandbox for this test module alone (its tests may change it, in file order)."""
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def connect(sb: Sandbox) -> Iterator[Callable[..., ZohoConnector]]:
    """Factory of connectors to ``sb``; retries do not sleep (waits are recorded)."""
    made: list[ZohoConnector] = []

    def make(**overrides: Any) -> ZohoConnector:
        z = sb.info.zoho
        settings = ZohoSettings(
            api_domain=z.api_domain,
            accounts_url=z.accounts_url,
            ca_bundle=sb.info.ca_bundle,
            auth={
                "client_id": z.client_id,
                "client_secret": z.client_secret,
                "refresh_token": z.refresh_token,
            },
            **overrides,
        )
        waits: list[float] = []
        connector = ZohoConnector("zoho", settings, retry=RetryPolicy(sleep=waits.append))
        connector.waits = waits  # type: ignore[attr-defined]
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def admin(sb: Sandbox) -> Iterator[requests.Session]:
    """A plain session for the emulator's /_sandbox admin paths."""
    session = pinned_session(sb.info.ca_bundle)
    yield session
    session.close()
