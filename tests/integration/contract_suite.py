"""Shared pieces of the sync contract suite (``test_sync_contract_*.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.core.registry import available_connectors
from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import StreamReport, SyncOptions, sync_source
from sync.sources import build_connector
from tests.integration.sync_support import (
    STREAM_OBJECTS,
    expected_deal_contact_pairs,
    expected_live_ids,
    opened,
    postgres_schema,
    postgres_url,
    store_deal_contact_pairs,
    store_live_ids,
)

CRMS = ["salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "keap", "oracle"]
BACKENDS = ["sqlite", "postgresql"]


def require(crm: str) -> None:
    """Built-in connectors ship with crmsync: a missing one is a packaging bug, not a skip."""
    assert crm in available_connectors(), f"the built-in {crm} connector is not registered"


@contextmanager
def store_url(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / name}.sqlite"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL configured: set CRMSYNC_TEST_POSTGRES_URL to run this")
    with postgres_schema(base) as url:
        yield url


def tiny_sandbox(seed: int = 7, faults: str = "none", b2c: bool = True) -> Sandbox:
    options = SandboxOptions(seed=seed, scale="tiny", faults=faults, anchor=DEFAULT_ANCHOR, b2c=b2c)
    return Sandbox(options, clock=ManualClock(DEFAULT_ANCHOR))


def run_sync(
    config_path: Path, crm: str, full: bool = False, check_deletes: bool = False
) -> list[StreamReport]:
    config = load_config(config_path)
    source = config.source(crm)
    connector = build_connector(source)
    try:
        with opened(config.store.url) as engine:
            report = sync_source(
                engine,
                source,
                connector,
                SyncOptions(full=full, check_deletes=check_deletes),
                now=utc_now,
            )
    finally:
        connector.close()
    assert report.status == "succeeded", [(s.stream, s.status, s.error) for s in report.streams]
    return report.streams


def utc_now() -> datetime:  # the application clock for bookkeeping columns
    return datetime.now(UTC)


def assert_store_matches_world(sandbox: Sandbox, config_path: Path, crm: str) -> None:
    with opened(load_config(config_path).store.url) as engine:
        for stream in STREAM_OBJECTS[crm]:
            live = store_live_ids(engine, crm, stream)
            assert live == expected_live_ids(sandbox, crm, stream), stream
        pairs = store_deal_contact_pairs(engine, crm)
        assert pairs == expected_deal_contact_pairs(sandbox, crm)
