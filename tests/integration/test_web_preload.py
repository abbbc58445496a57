"""The server loads the pages' data when a run lands, not when the first person opens a
page after it: with ``web.preload_seconds`` it checks the store (one query) and loads in
the background; with 0 it waits for a page to be opened, as before."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync.config import CrmsyncConfig
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

pytest.importorskip("starlette")

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _app(tmp_path: Path, preload: int) -> Any:
    from sync.web.app import create_app

    config = CrmsyncConfig.model_validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
            "web": {"preload_seconds": preload},
        }
    )
    engine = open_store(config.store.url)
    return (
        config,
        engine,
        create_app(config, engine, now=lambda: NOW, send_mail=lambda *a: None, secret="k" * 40),
    )


def _wait(condition: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_run_that_lands_is_loaded_without_a_page_view(tmp_path: Path) -> None:
    config, engine, app = _app(tmp_path, preload=1)
    view = app.state.web.view
    # At start: the store's state is loaded without anyone asking.
    assert _wait(lambda: view.last_warm is not None and view.last_warm[0] == view.stamp())
    before = view.stamp()
    reconcile(engine, config.reconcile, NOW, "full")  # a run lands
    assert _wait(lambda: view.last_warm is not None and view.last_warm[0] != before)
    after = view.stamp()
    assert after != before and after[1] == (before[1] or 0) + 1  # the new reconcile run's id
    assert view.last_warm[0] == after
    view.watching.set()


def test_with_preload_off_nothing_is_loaded_until_a_page_asks(tmp_path: Path) -> None:
    _, _, app = _app(tmp_path, preload=0)
    view = app.state.web.view
    time.sleep(1.5)
    assert view.stamp() is None and view.last_warm is None and view.watching is None
    view.refresh()  # what a page does first
    assert _wait(lambda: view.last_warm is not None)
