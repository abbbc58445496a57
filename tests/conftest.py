"""Shared test set-up: markers from folders, the time-sensitive tests (``clock``), and the
sandbox fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge results, not speed: on a loaded 2-core CI machine an example can take
# longer than Hypothesis's default 200 ms deadline without anything being wrong.
settings.register_profile("crmsync", deadline=None)
settings.load_profile("crmsync")

FOLDER_MARKERS = ("unit", "contract", "integration", "e2e")
# Time-sensitive tests: those where the wall clock meets stored or generated dates (syncs
# stamped with the real time, certificates, schedules, periods, retries). `dev.py test` runs
# them a second time with the clock 400 days on (the ``clock`` marker), on SQLite; keep the
# set under two minutes on two cores.
CLOCK_FILES = frozenset(
    {
        "tests/e2e/test_cli_statements.py",
        "tests/e2e/test_run_twice.py",
        "tests/integration/test_compute.py",
        "tests/integration/test_daemon_control.py",
        "tests/integration/test_outbox_delivery.py",
        "tests/integration/test_outbox_tls.py",
        "tests/integration/test_reconcile_change_order.py",
        "tests/integration/test_reconcile_sandbox.py",
        "tests/integration/test_sandbox_runtime.py",
        "tests/integration/test_sync_engine.py",
        "tests/integration/test_sync_refused_values.py",
        "tests/unit/test_clock_and_ids.py",
        "tests/unit/test_clock_pass.py",
        "tests/unit/test_daemon_parts.py",
    }
)
_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).resolve()
        parts = path.parts
        for marker in FOLDER_MARKERS:
            if marker in parts:
                item.add_marker(getattr(pytest.mark, marker))
        if path.is_relative_to(_ROOT) and path.relative_to(_ROOT).as_posix() in CLOCK_FILES:
            item.add_marker(pytest.mark.clock)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A running tiny sandbox (seed 7) shared by the session. Do not change its data:
    tests that churn start their own."""
    from sandbox import DEFAULT_ANCHOR, Sandbox, SandboxOptions

    state = tmp_path_factory.mktemp("sandbox")
    with Sandbox(
        SandboxOptions(seed=7, scale="tiny", state_dir=state, anchor=DEFAULT_ANCHOR)
    ) as running:
        yield running
