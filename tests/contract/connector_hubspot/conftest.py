"""Fixtures: a tiny sandbox on a manual clock, and HubSpot connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from connectors.core.http import pinned_session
from connectors.core.retry import RetryPolicy
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A sandbox for this test module alone (its tests may change it, in file order)."""
    options = SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    sandbox = Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR))
    sandbox.start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def connect(sb: Sandbox) -> Iterator[Callable[..., HubSpotConnector]]:
    """Factory of connectors to ``sb``; retries do not sleep (waits are recorded)."""
    made: list[HubSpotConnector] = []

    def make(oauth: bool = False, **overrides: Any) -> HubSpotConnector:
        if oauth:
            creds = sb.credentials
            auth: dict[str, Any] = {
                "flow": "oauth",
                "client_id": creds.hubspot_client_id,
                "client_secret": creds.hubspot_client_secret,
                "refresh_token": creds.hubspot_refresh_token,
            }
        else:
            auth = {"flow": "private_app", "access_token": sb.info.hubspot.access_token}
        settings = HubSpotSettings(
            base_url=sb.info.hubspot.base_url, ca_bundle=sb.info.ca_bundle, auth=auth, **overrides
        )
        waits: list[float] = []
        connector = HubSpotConnector("hubspot", settings, retry=RetryPolicy(sleep=waits.append))
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
