"""Shared test set-up: markers from folders, the time-sensitive tests (``clock``), and the
sandbox fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Property tests judge results, not speed: on a loaded 2-core CI machine an example can take
# longer than Hypothesis's default 200 ms deadline without anything being wrong.
settings.register_profile("crmsync", deadline=None)
settings.load_profile("crmsync")

FOLDER_MARKERS = ("unit", "contract", "integration", "e2e")
# Time-sensitive tests (the ``clock`` marker): the files listed in clock_files.txt, which
# `dev.py test` runs a second time with the clock 400 days on.
CLOCK_FILES = frozenset(
    line
    for line in (Path(__file__).parent / "clock_files.txt").read_text().splitlines()
    if line and not line.startswith("#")
)
# How `dev.py test` spreads the tests over its workers (`--dist loadfile`, refined by
# pytest_xdist_make_scheduler below, in collection order): a file's tests stay together on
# one worker (its module fixtures start once), except in these long files of the sync
# contract, whose tests go out one CRM at a time so that the workers share them.
SPLIT_BY_CRM = (
    "tests/integration/test_sync_contract_kill.py",
    "tests/integration/test_sync_contract_faults.py",
    "tests/integration/test_sync_contract.py",
)
# The longest files start first, so that neither worker is left with one of them at the
# end while the other has finished; the rest keep their order (the many short unit tests
# come last and even the two workers out).
LONG_FIRST = (
    *SPLIT_BY_CRM,
    "tests/e2e/test_run_twice.py",
    "tests/integration/test_workers.py",
    "tests/integration/test_worker_status.py",
    "tests/integration/test_reconcile_splink.py",
    "tests/integration/test_reconcile_splink_postgres.py",
)
_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    names: dict[str, str] = {}
    for item in items:
        path = Path(str(item.fspath)).resolve()
        parts = path.parts
        for marker in FOLDER_MARKERS:
            if marker in parts:
                item.add_marker(getattr(pytest.mark, marker))
        name = path.relative_to(_ROOT).as_posix() if path.is_relative_to(_ROOT) else str(path)
        if name in CLOCK_FILES:
            item.add_marker(pytest.mark.clock)
        names[item.nodeid] = name
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(names[item.nodeid], len(rank)))


def work_unit(nodeid: str) -> str:
    """What one worker runs whole: the test's file, or its file and CRM in SPLIT_BY_CRM
    (``tests/integration/test_sync_contract_kill.py::test_x[zoho-sqlite]`` → ``…::zoho``)."""
    path = nodeid.split("::", 1)[0]
    if path in SPLIT_BY_CRM and nodeid.endswith("]"):
        return f"{path}::{nodeid.rsplit('[', 1)[1].split('-', 1)[0]}"
    return path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with the work units of ``work_unit``. (``--dist loadgroup`` and
    xdist_group marks would say the same, but pytest-xdist 3.8 cannot rename pytest 9's
    node ids, so its groups are ignored: every test would be sent alone.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

    class FileOrCrm(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return FileOrCrm(config, log)


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
