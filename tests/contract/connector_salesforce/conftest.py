"""Fixtures: a small sandbox on a manual clock, and Salesforce connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors.core.retry import RetryPolicy
from connectors.salesforce import SalesforceConnector, SalesforceSettings
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR


def start_sandbox() -> Sandbox:
    # "small" rather than "tiny": tiny objects fit in one 200-row page, and paging,
    # restarts and Bulk pages are what these tests are about
    options = SandboxOptions(seed=7, scale="small", anchor=DEFAULT_ANCHOR)
    sandbox = Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR))
    sandbox.start()
    return sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A sandbox for this test module alone (its tests may change it, in file order)."""
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


def settings_for(sb: Sandbox, **overrides: Any) -> SalesforceSettings:
    info = sb.info.salesforce
    values: dict[str, Any] = {
        "instance_url": info.instance_url,
        "token_url": info.token_url,
        "auth": {
            "flow": "client_credentials",
            "client_id": info.client_id,
            "client_secret": info.client_secret,
        },
        "ca_bundle": str(sb.info.ca_bundle),
    }
    values.update(overrides)
    return SalesforceSettings.model_validate(values)


@pytest.fixture
def connect(sb: Sandbox) -> Iterator[Callable[..., SalesforceConnector]]:
    """Factory of connectors to ``sb``; retries do not sleep (the waits are recorded)."""
    made: list[SalesforceConnector] = []

    def make(**overrides: Any) -> SalesforceConnector:
        waits: list[float] = []
        connector = SalesforceConnector(
            "salesforce",
            settings_for(sb, **overrides),
            retry=RetryPolicy(sleep=waits.append),
        )
        connector.waits = waits  # type: ignore[attr-defined]
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()
