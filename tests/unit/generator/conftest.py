"""Shared generated worlds (session-scoped: generating is deterministic and read-only here)."""

from __future__ import annotations

import pytest

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.world import World


@pytest.fixture(scope="session")
def tiny_world() -> World:
    return generate(7, "tiny", DEFAULT_ANCHOR)


@pytest.fixture(scope="session")
def small_world() -> World:
    return generate(3, "small", DEFAULT_ANCHOR)


@pytest.fixture(params=["tiny", "small"])
def world(request: pytest.FixtureRequest, tiny_world: World, small_world: World) -> World:
    return tiny_world if request.param == "tiny" else small_world
