"""Shared test set-up: markers from folders, and the sandbox fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FOLDER_MARKERS = ("unit", "contract", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for marker in FOLDER_MARKERS:
            if marker in parts:
                item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A running tiny sandbox (seed 7) shared by the session. Do not change its data:
    tests that churn start their own."""
    from connectors.sandbox import Sandbox, SandboxOptions

    state = tmp_path_factory.mktemp("sandbox")
    with Sandbox(SandboxOptions(seed=7, scale="tiny", state_dir=state)) as running:
        yield running
